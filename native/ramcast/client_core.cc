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

uint32_t ClientCore::multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload, Await await) {
  if (dst.empty() || dst.size() > kMaxDstGroups)
    throw std::invalid_argument("ramcast: a message goes to 1.." + std::to_string(kMaxDstGroups) + " groups");
  std::sort(dst.begin(), dst.end());
  if (std::adjacent_find(dst.begin(), dst.end()) != dst.end())
    throw std::invalid_argument("ramcast: destination groups repeat");
  if (dst.back() >= topo_.groups.size()) throw std::invalid_argument("ramcast: no such group " + std::to_string(dst.back()));
  if (payload.size() > kMaxPayloadBytes)
    throw std::invalid_argument("ramcast: payload over " + std::to_string(kMaxPayloadBytes) + " bytes");
  if (queue_.size() >= kClientQueueMax) throw std::length_error("ramcast: client queue full");
  queue_.push_back(Pending{++seq_, std::move(dst), std::move(payload), await});
  issue();
  return seq_;
}

uint64_t ClientCore::head(uint32_t server) const { return get_u64(credit_.data() + credit_offset(server)); }

bool ClientCore::has_room(uint32_t g) const {
  // D4: the slot must be free at every member not suspected to have crashed.
  for (uint32_t q : topo_.groups[g]) {
    if (suspected_.count(q)) continue;
    if (next_[g] - head(topo_.members.at(q).server) >= kRingSlots) return false;
  }
  return true;
}

bool ClientCore::complete(const Awaiting& a) const {
  for (size_t i = 0; i < a.dst.size(); ++i) {
    const auto& members = topo_.groups[a.dst[i]];
    uint32_t delivered = 0, needed = 0;
    for (uint32_t q : members) {
      const bool counted = a.await != Await::kAll || !suspected_.count(q);
      needed += counted;
      if (counted && head(topo_.members.at(q).server) > a.pos[i]) ++delivered;
    }
    if (a.await == Await::kOne) needed = 1;
    if (a.await == Await::kQuorum) needed = topo_.quorum(a.dst[i]);
    if (delivered < needed) return false;
  }
  return true;
}

void ClientCore::check_completions() {
  for (auto it = awaiting_.begin(); it != awaiting_.end();) {
    if (complete(*it)) {
      fx_.completed.push_back(Completed{it->seq});
      it = awaiting_.erase(it);
    } else {
      ++it;
    }
  }
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
    std::vector<uint64_t> pos;  // full-width positions; the slot carries their low 32 bits
    for (uint16_t g : p.dst) {
      pos.push_back(next_[g]);
      s.pos.push_back(uint32_t(next_[g]++));
    }
    s.payload = std::move(p.payload);
    const std::vector<uint8_t> image = encode_slot(s);
    for (uint16_t g : s.dst)
      for (uint32_t q : topo_.groups[g])
        fx_.writes.push_back(Write{q, Region::kRing, ring_offset(index_, s.slot_for(g)), image});
    fx_.issued.push_back(Issued{s.id(), s.dst});
    if (p.await != Await::kNone) awaiting_.push_back(Awaiting{s.seq, s.dst, std::move(pos), p.await});
    queue_.pop_front();
  }
}

void ClientCore::landed(uint32_t from, Region region, uint32_t offset, uint32_t len) {
  if (region != Region::kCredit || size_t(offset) + len > credit_.size()) return;
  issue();
  check_completions();
}

void ClientCore::suspect_server(uint32_t node, bool suspected) {
  if (suspected)
    suspected_.insert(node);
  else
    suspected_.erase(node);
  issue();
  check_completions();
}

Effects ClientCore::take_effects() {
  Effects out = std::move(fx_);
  fx_ = Effects{};
  return out;
}

}  // namespace castellan::ramcast
