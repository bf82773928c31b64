// The one bounds rule of every backend: [offset, offset+len) must lie inside the region.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "rma/rma.h"

namespace castellan {
namespace rma {

inline void check_bounds(const char* op, uint64_t offset, size_t len, size_t size) {
  if (offset > size || len > size - offset)
    throw RmaError("ERR_CASTELLAN_RMA_BOUNDS", std::string(op) + " of " + std::to_string(len) + " bytes at offset " +
                                                  std::to_string(offset) + " exceeds the region's " +
                                                  std::to_string(size) + " bytes");
}

}  // namespace rma
}  // namespace castellan
