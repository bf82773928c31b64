// The doorbell of a region whose remote writes are reported to this process by completion
// events (fabric, verbs): the region's progress turns each remote-write completion into a
// release increment here and wakes sleeping pollers, so pollers treat every backend alike
// (spin on the word, then futex_waitv on it).
#pragma once
#include <atomic>
#include <cstdint>

#include "rma/local_memory.h"
#include "rma/rma.h"

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

/**
 * A region whose memory is local (peers reach it through a provider or NIC) and whose
 * doorbell is rung by draining completions: the shared half of fabric and verbs. Its memory
 * is a base-class member, so it outlives the registrations the derived class closes.
 */
class CompletionDrivenRegion : public Region {
 public:
  explicit CompletionDrivenRegion(size_t bytes) : memory_(bytes) {}
  uint8_t* base() override { return memory_.data(); }
  size_t size() const override { return memory_.size(); }
  /** Drains first, so a write whose delivery-complete the writer saw is counted. */
  uint32_t doorbell() const override {
    const_cast<CompletionDrivenRegion*>(this)->drain();
    return bell_.value.load(std::memory_order_acquire);
  }
  const uint32_t* doorbell_word() const override { return reinterpret_cast<const uint32_t*>(&bell_.value); }
  bool futex_wakeable() const override { return true; }
  void add_sleeper(int delta) override { bell_.sleepers.fetch_add(delta, std::memory_order_seq_cst); }
  void progress() override { drain(); }

 protected:
  /** Takes the completions there are, rings bell_ once per remote write; whether any arrived. */
  virtual bool drain() = 0;
  LocalMemory memory_;
  LocalDoorbell bell_;
};

}  // namespace rma
}  // namespace castellan
