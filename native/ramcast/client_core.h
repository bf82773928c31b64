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

class ClientCore {
 public:
  ClientCore(Topology topology, uint32_t self);

  /** Task 1. Returns the message's sequence number; throws std::invalid_argument on bad input
   *  and std::length_error when the queue is full. */
  uint32_t multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload);
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
  };
  bool has_room(uint32_t g) const;
  void issue();

  Topology topo_;
  uint32_t self_;
  uint32_t index_;
  uint32_t seq_ = 0;
  std::vector<uint64_t> next_;  // per group: my next position in that group's ring
  std::vector<uint8_t> credit_;
  std::unordered_set<uint32_t> suspected_;
  std::deque<Pending> queue_;
  Effects fx_;
};

}  // namespace castellan::ramcast
