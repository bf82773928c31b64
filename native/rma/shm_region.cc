// Owner side of the shm backend: creates the segment, hands out grants (a random 64-bit key
// in a header slot) and fences them on revoke (spec/ramcast.md §6).
#include <sched.h>
#include <time.h>

#include <random>
#include <unordered_map>

#include "rma/handle.h"
#include "rma/rma.h"
#include "rma/shm_segment.h"
#include "rma/shm_backend.h"

namespace castellan {
namespace rma {
namespace {

constexpr int kRevokeSpinRounds = 1000;       // yields before revoke starts sleeping
constexpr long kRevokeSleepNs = 20 * 1000;    // 20 µs between checks once sleeping

class ShmRegion final : public Region {
 public:
  explicit ShmRegion(size_t bytes) : segment_(ShmSegment::create(bytes)) {}
  ~ShmRegion() override { close(); }

  Backend backend() const override { return Backend::kShm; }
  uint8_t* base() override { return segment_->data(); }
  size_t size() const override { return segment_->data_bytes(); }

  Grant grant() override {
    ShmHeader* h = segment_->header();
    for (uint32_t slot = 0; slot < kShmGrantsMax; ++slot) {
      if (slot_in_use_[slot]) continue;
      uint64_t key = 0;
      while (key == 0) key = rng_();
      ShmGrantSlot& g = h->grants[slot];
      g.writer_pid.store(0, std::memory_order_relaxed);
      g.key.store(key, std::memory_order_seq_cst);
      slot_in_use_[slot] = true;
      uint32_t id = next_grant_id_++;
      live_[id] = slot;
      HandleWriter w(Backend::kShm);
      w.str(segment_->name());
      w.u64(segment_->data_bytes());
      w.u32(slot);
      w.u64(key);
      return Grant{id, w.take()};
    }
    throw RmaError("ERR_CASTELLAN_RMA_GRANTS", "region has " + std::to_string(kShmGrantsMax) + " live grants already");
  }

  void revoke(uint32_t grant_id) override {
    auto it = live_.find(grant_id);
    if (it == live_.end()) return;
    uint32_t slot = it->second;
    live_.erase(it);
    ShmGrantSlot& g = segment_->header()->grants[slot];
    // Dekker with the writer (shm_connection.cc): we store key=0 then read busy; it stores
    // busy+1 then reads key. One of us sees the other, so after this loop no write under the
    // old key is in flight and none can start.
    g.key.store(0, std::memory_order_seq_cst);
    for (int round = 0; g.busy.load(std::memory_order_seq_cst) != 0; ++round) {
      ProcessId writer{g.writer_pid.load(), g.writer_start.load()};
      if (!process_alive(writer)) {  // died mid-write: nothing more can land from it
        g.busy.store(0);
        break;
      }
      if (round < kRevokeSpinRounds) {
        sched_yield();
      } else {
        timespec ts{0, kRevokeSleepNs};
        nanosleep(&ts, nullptr);
      }
    }
    slot_in_use_[slot] = false;
  }

  uint32_t doorbell() const override { return segment_->header()->doorbell.load(std::memory_order_acquire); }
  const uint32_t* doorbell_word() const override {
    return reinterpret_cast<const uint32_t*>(&segment_->header()->doorbell);
  }
  bool futex_wakeable() const override { return true; }
  void add_sleeper(int delta) override { segment_->header()->sleepers.fetch_add(delta, std::memory_order_seq_cst); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    ShmHeader* h = segment_->header();
    for (auto& g : h->grants) g.key.store(0, std::memory_order_seq_cst);
    h->state.store(kShmClosed, std::memory_order_seq_cst);
    segment_->unlink();
    h->doorbell.fetch_add(1, std::memory_order_release);  // wake our own pollers to notice
    futex_wake_all(&h->doorbell);
  }

 private:
  std::shared_ptr<ShmSegment> segment_;
  bool slot_in_use_[kShmGrantsMax] = {};
  std::unordered_map<uint32_t, uint32_t> live_;  // grant id → slot
  uint32_t next_grant_id_ = 1;
  std::mt19937_64 rng_{std::random_device{}()};
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<Region> create_shm_region(size_t bytes) { return std::make_unique<ShmRegion>(bytes); }

}  // namespace rma
}  // namespace castellan
