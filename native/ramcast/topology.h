// Who is who in a RamCast deployment: groups of 2f+1 servers and the clients (spec §1).
// Fixed for the lifetime of a core; leaders and rounds change, membership does not.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramcast/layout.h"

namespace castellan::ramcast {

struct Topology {
  std::vector<std::vector<uint32_t>> groups;  // group id = index; members by node id
  std::vector<uint32_t> clients;              // client index = position

  struct Member {
    uint32_t group;
    uint32_t index;   // position within the group (ack cell column)
    uint32_t server;  // position among all servers (credit word at clients)
  };
  std::unordered_map<uint32_t, Member> members;
  std::unordered_map<uint32_t, uint32_t> client_index;

  /** Validates sizes against the layout's limits; throws std::invalid_argument with why. */
  void index() {
    if (groups.empty()) throw std::invalid_argument("ramcast topology needs at least one group");
    if (clients.empty()) throw std::invalid_argument("ramcast topology needs at least one client");
    if (groups.size() > (1u << kGroupBits)) throw std::invalid_argument("too many groups");
    uint32_t server = 0;
    for (uint32_t g = 0; g < groups.size(); ++g) {
      if (groups[g].empty() || groups[g].size() > kMaxGroupSize)
        throw std::invalid_argument("group " + std::to_string(g) + " must have 1.." +
                                    std::to_string(kMaxGroupSize) + " members");
      for (uint32_t i = 0; i < groups[g].size(); ++i) {
        const uint32_t node = groups[g][i];
        if (node >= (1u << kNodeBits)) throw std::invalid_argument("node id too large");
        if (!members.emplace(node, Member{g, i, server++}).second)
          throw std::invalid_argument("node " + std::to_string(node) + " is in two groups");
      }
    }
    for (uint32_t i = 0; i < clients.size(); ++i) {
      if (members.count(clients[i])) throw std::invalid_argument("a client cannot be a server");
      if (!client_index.emplace(clients[i], i).second) throw std::invalid_argument("duplicate client");
    }
  }
  /** Majority of group g: the quorum of acks (decision D1). */
  uint32_t quorum(uint32_t g) const { return uint32_t(groups[g].size() / 2 + 1); }
  /** The initial leader of g: its smallest node id (spec §6). */
  uint32_t initial_leader(uint32_t g) const {
    uint32_t best = groups[g][0];
    for (uint32_t n : groups[g]) best = n < best ? n : best;
    return best;
  }
};

}  // namespace castellan::ramcast
