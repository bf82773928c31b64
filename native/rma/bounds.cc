#include "rma/bounds.h"

#include <string>

#include "rma/rma.h"

namespace castellan {
namespace rma {

void throw_out_of_bounds(const char* op, uint64_t offset, size_t len, size_t size) {
  throw RmaError("ERR_CASTELLAN_RMA_BOUNDS", std::string(op) + " of " + std::to_string(len) + " bytes at offset " +
                                                std::to_string(offset) + " exceeds the region's " +
                                                std::to_string(size) + " bytes");
}

}  // namespace rma
}  // namespace castellan
