// The doorbell of a region whose remote writes are reported to this process by completion
// events (fabric, verbs): the region's progress turns each remote-write completion into a
// release increment here and wakes sleeping pollers, so pollers treat every backend alike
// (spin on the word, then futex_waitv on it).
#pragma once
#include <atomic>
#include <cstdint>

namespace castellan {
namespace rma {

/** Futex wake on a 32-bit word; no FUTEX_PRIVATE_FLAG, so shared mappings work too. */
void futex_wake_all(std::atomic<uint32_t>* word);

struct alignas(64) LocalDoorbell {
  std::atomic<uint32_t> value{0};
  std::atomic<uint32_t> sleepers{0};

  /** Publishes `writes` completed writes; Dekker with Poller::sleep_once (bell, then sleepers). */
  void ring(uint32_t writes) {
    value.fetch_add(writes, std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_seq_cst) != 0) futex_wake_all(&value);
  }
};

}  // namespace rma
}  // namespace castellan
