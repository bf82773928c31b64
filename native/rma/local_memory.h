// Page-aligned, zero-filled private memory for regions whose peers reach it through a NIC or
// provider (fabric, verbs) rather than by mapping it.
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "rma/rma.h"

namespace castellan {
namespace rma {

constexpr size_t kLocalRegionBytesMax = size_t(1) << 34;  // 16 GiB, as for shm: a sanity bound

class LocalMemory {
 public:
  explicit LocalMemory(size_t bytes) : bytes_(bytes) {
    if (bytes == 0 || bytes > kLocalRegionBytesMax)
      throw RmaError("ERR_CASTELLAN_RMA_ARG", "region size must be 1.." + std::to_string(kLocalRegionBytesMax) + " bytes");
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw RmaError("ERR_CASTELLAN_RMA_SYS", "mmap of " + std::to_string(bytes) + " bytes failed");
    data_ = static_cast<uint8_t*>(p);
  }
  ~LocalMemory() { munmap(data_, bytes_); }
  LocalMemory(const LocalMemory&) = delete;
  LocalMemory& operator=(const LocalMemory&) = delete;
  uint8_t* data() const { return data_; }
  size_t size() const { return bytes_; }

 private:
  size_t bytes_;
  uint8_t* data_;
};

}  // namespace rma
}  // namespace castellan
