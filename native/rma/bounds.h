// The one bounds rule of every backend: [offset, offset+len) must lie inside the region.
// The check is inline on every write's hot path; building the error is out of line.
#pragma once
#include <cstddef>
#include <cstdint>

namespace castellan {
namespace rma {

/** Throws ERR_CASTELLAN_RMA_BOUNDS naming the operation and the numbers. */
[[noreturn]] __attribute__((cold, noinline)) void throw_out_of_bounds(const char* op, uint64_t offset, size_t len,
                                                                       size_t size);

inline void check_bounds(const char* op, uint64_t offset, size_t len, size_t size) {
  if (__builtin_expect(offset > size || len > size - offset, 0)) throw_out_of_bounds(op, offset, len, size);
}

}  // namespace rma
}  // namespace castellan
