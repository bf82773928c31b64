// RamCast client (spec §5 Task 1 and Relay): writes a message straight into its home slot at
// every destination process, one ring position per destination group, within the credit the
// servers write back (§7). Sans-IO like the server core.
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_set>
#include <vector>

#include "ramcast/effects.h"
#include "ramcast/layout.h"
#include "ramcast/topology.h"

namespace castellan::ramcast {

// Multicasts a client may queue while its rings are full; beyond this `multicast` refuses
// (the caller keeps its message) rather than buffer without bound.
constexpr size_t kClientQueueMax = 4096;

/**
 * Where a multicast counts as delivered for its caller, learnt from the credit words (§7): a
 * server's head for this client passes a message's ring position only once it delivered that
 * message and every earlier one of this client for its group. kOne: one member of every
 * destination group (by uniform agreement every correct destination will deliver it too);
 * kQuorum: a majority of every destination group; kAll: every member not suspected.
 */
enum class Await : uint8_t { kNone = 0, kOne = 1, kQuorum = 2, kAll = 3 };

class ClientCore {
 public:
  ClientCore(Topology topology, uint32_t self);

  /** Task 1. Returns the message's sequence number; throws std::invalid_argument on bad input
   *  and std::length_error when the queue is full. With `await` other than kNone, a
   *  Completed effect reports the moment the message is delivered as asked. */
  uint32_t multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload, Await await = Await::kNone);
  /** The sequence number the next accepted multicast gets (so a caller can log it first). */
  uint32_t next_seq() const { return seq_ + 1; }
  /** Multicasts issued and awaited but not yet completed. */
  size_t awaiting() const { return awaiting_.size(); }
  /** A server wrote my credit region (its ring head for me). */
  void landed(uint32_t from, Region region, uint32_t offset, uint32_t len);
  /** A crashed server never returns credit: stop waiting for it (D4). */
  void suspect_server(uint32_t node, bool suspected);

  uint8_t* region_data() { return credit_.data(); }
  size_t region_size() const { return credit_.size(); }
  size_t queued() const { return queue_.size(); }
  Effects take_effects();

 private:
  struct Pending {
    uint32_t seq;
    std::vector<uint16_t> dst;
    std::vector<uint8_t> payload;
    Await await;
  };
  struct Awaiting {
    uint32_t seq;
    std::vector<uint16_t> dst;
    std::vector<uint64_t> pos;  // per destination group
    Await await;
  };
  bool has_room(uint32_t g) const;
  uint64_t head(uint32_t server) const;
  bool complete(const Awaiting& a) const;
  void issue();
  void check_completions();

  Topology topo_;
  uint32_t self_;
  uint32_t index_;
  uint32_t seq_ = 0;
  std::vector<uint64_t> next_;  // per group: my next position in that group's ring
  std::vector<uint8_t> credit_;
  std::unordered_set<uint32_t> suspected_;
  std::deque<Pending> queue_;
  std::deque<Awaiting> awaiting_;
  Effects fx_;
};

}  // namespace castellan::ramcast
