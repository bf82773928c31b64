// RamCast client (client_core.h).
#include "ramcast/client_core.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace castellan::ramcast {

ClientCore::ClientCore(Topology topology, uint32_t self) : topo_(std::move(topology)), self_(self) {
  topo_.index();
  auto it = topo_.client_index.find(self);
  if (it == topo_.client_index.end()) throw std::invalid_argument("ramcast client is not in the client list");
  index_ = it->second;
  next_.assign(topo_.groups.size(), 0);
  credit_.assign(credit_offset(uint32_t(topo_.members.size())), 0);
}

uint32_t ClientCore::multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload) {
  if (dst.empty() || dst.size() > kMaxDstGroups)
    throw std::invalid_argument("ramcast: a message goes to 1.." + std::to_string(kMaxDstGroups) + " groups");
  std::sort(dst.begin(), dst.end());
  if (std::adjacent_find(dst.begin(), dst.end()) != dst.end())
    throw std::invalid_argument("ramcast: destination groups repeat");
  if (dst.back() >= topo_.groups.size()) throw std::invalid_argument("ramcast: no such group " + std::to_string(dst.back()));
  if (payload.size() > kMaxPayloadBytes)
    throw std::invalid_argument("ramcast: payload over " + std::to_string(kMaxPayloadBytes) + " bytes");
  if (queue_.size() >= kClientQueueMax) throw std::length_error("ramcast: client queue full");
  queue_.push_back(Pending{++seq_, std::move(dst), std::move(payload)});
  issue();
  return seq_;
}

bool ClientCore::has_room(uint32_t g) const {
  // D4: the slot must be free at every member not suspected to have crashed.
  for (uint32_t q : topo_.groups[g]) {
    if (suspected_.count(q)) continue;
    const uint64_t head = get_u64(credit_.data() + credit_offset(topo_.members.at(q).server));
    if (next_[g] - head >= kRingSlots) return false;
  }
  return true;
}

void ClientCore::issue() {
  // FIFO: a blocked message holds back later ones, so positions stay in sequence order.
  while (!queue_.empty()) {
    Pending& p = queue_.front();
    for (uint16_t g : p.dst)
      if (!has_room(g)) return;
    Slot s;
    s.client = self_;
    s.seq = p.seq;
    s.dst = p.dst;
    for (uint16_t g : p.dst) s.pos.push_back(uint32_t(next_[g]++));
    s.payload = std::move(p.payload);
    const std::vector<uint8_t> image = encode_slot(s);
    for (uint16_t g : s.dst)
      for (uint32_t q : topo_.groups[g])
        fx_.writes.push_back(Write{q, Region::kRing, ring_offset(index_, s.slot_for(g)), image});
    fx_.issued.push_back(Issued{s.id(), s.dst});
    queue_.pop_front();
  }
}

void ClientCore::landed(uint32_t from, Region region, uint32_t offset, uint32_t len) {
  if (region != Region::kCredit || size_t(offset) + len > credit_.size()) return;
  issue();
}

void ClientCore::suspect_server(uint32_t node, bool suspected) {
  if (suspected)
    suspected_.insert(node);
  else
    suspected_.erase(node);
  issue();
}

Effects ClientCore::take_effects() {
  Effects out = std::move(fx_);
  fx_ = Effects{};
  return out;
}

}  // namespace castellan::ramcast
