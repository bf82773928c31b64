// Monotonic time for spin deadlines and timeouts.
#pragma once
#include <time.h>

#include <cstdint>

namespace castellan {
namespace rma {

inline int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace rma
}  // namespace castellan
