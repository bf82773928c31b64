// RamCast server state machine (server_core.h). Rules cite spec/ramcast.md §5 and the
// decisions in src/ramcast/decisions.md (D1–D12).
#include "ramcast/server_core.h"

#include <algorithm>
#include <cassert>
#include <sstream>
#include <stdexcept>

namespace castellan::ramcast {

ServerCore::ServerCore(Topology topology, uint32_t self) : topo_(std::move(topology)), self_(self) {
  topo_.index();
  auto it = topo_.members.find(self);
  if (it == topo_.members.end()) throw std::invalid_argument("ramcast server is not a member of any group");
  group_ = it->second.group;
  const uint32_t clients = uint32_t(topo_.clients.size());
  ring_.assign(ring_region_bytes(clients), 0);
  ts_.assign(ts_region_bytes(clients), 0);
  ack_.assign(ack_region_bytes(clients), 0);
  for (uint32_t g = 0; g < topo_.groups.size(); ++g) leader_of_.push_back(topo_.initial_leader(g));
  leader_ = leader_of_[group_];
  // Epoch 1: round 0 means "no stamp" in every cell.
  round_ = round_encode(1, leader_);
  open_floor_ = round_;
  head_.assign(clients, 0);
  freed_.resize(clients);
  occupant_.assign(size_t(clients) * kRingSlots, 0);
}

uint8_t* ServerCore::region_data(Region r) {
  switch (r) {
    case Region::kRing: return ring_.data();
    case Region::kTs: return ts_.data();
    case Region::kAck: return ack_.data();
    default: return nullptr;
  }
}

size_t ServerCore::region_size(Region r) const {
  switch (r) {
    case Region::kRing: return ring_.size();
    case Region::kTs: return ts_.size();
    case Region::kAck: return ack_.size();
    default: return 0;
  }
}

ServerCore::Msg& ServerCore::msg(uint64_t id) {
  Msg& m = msgs_[id];
  m.id = id;
  return m;
}

void ServerCore::see(uint64_t value) {
  // CL2: observing any timestamp moves the clock up to it.
  clock_ = std::max<uint32_t>(clock_, uint32_t(ts_counter(value)));
}

void ServerCore::write(uint32_t to, Region region, uint32_t offset, const uint8_t* p, size_t n) {
  if (to == self_) {
    // Writes to oneself are absorbed after the current step (no re-entrancy), and land only
    // then: two of them may aim at one cell before the drain (Task 9 acks a DONE message and a
    // live one that reuse a ring slot), and each must be absorbed with its own bytes.
    local_.push_back(Write{to, region, offset, std::vector<uint8_t>(p, p + n)});
    return;
  }
  fx_.writes.push_back(Write{to, region, offset, std::vector<uint8_t>(p, p + n)});
}

void ServerCore::write_cell(uint32_t to, Region region, uint32_t offset, const Cell& c) {
  uint8_t buf[kCellBytes];
  encode_cell(c, buf);
  write(to, region, offset, buf, kCellBytes);
}

void ServerCore::drain_local() {
  while (!local_.empty()) {
    Write w = std::move(local_.front());
    local_.pop_front();
    std::copy(w.bytes.begin(), w.bytes.end(), region_data(w.region) + w.offset);
    landed(self_, w.region, w.offset, uint32_t(w.bytes.size()));
  }
}

void ServerCore::landed(uint32_t from, Region region, uint32_t offset, uint32_t len) {
  if (size_t(offset) + len > region_size(region)) {
    ++stats_.malformed;
    return;
  }
  switch (region) {
    case Region::kRing:
      for (uint32_t o = offset - offset % kSlotBytes; o < offset + len; o += kSlotBytes) absorb_ring(from, o);
      break;
    case Region::kTs:
      for (uint32_t o = offset - offset % kCellBytes; o < offset + len; o += kCellBytes) absorb_ts(from, o);
      break;
    case Region::kAck:
      for (uint32_t o = offset - offset % kCellBytes; o < offset + len; o += kCellBytes) absorb_ack(from, o);
      break;
    default:
      ++stats_.malformed;
  }
  if (from != self_) drain_local();
  try_deliver();
}

// --- absorbing landed bytes -------------------------------------------------------------

void ServerCore::absorb_ring(uint32_t from, uint32_t offset) {
  const uint32_t w = offset / (kRingSlots * kSlotBytes);
  const uint32_t slot = (offset / kSlotBytes) % kRingSlots;
  auto s = decode_slot(ring_.data() + offset, kSlotBytes);
  if (!s) return;  // not yet complete (CRC written last) or garbage: wait for the rest
  const bool placed = s->client == topo_.clients[w] && s->dst_index(group_) >= 0 && s->slot_for(group_) == slot;
  if (!placed) {
    ++stats_.malformed;
    return;
  }
  // §7 check: the client may reuse a slot only after this process delivered its message.
  // (A late relay of a message already held is a duplicate, not a reuse.)
  auto known = msgs_.find(s->id());
  if (known == msgs_.end() || !known->second.body) {
    uint64_t& occupant = occupant_[size_t(w) * kRingSlots + slot];
    auto prev = msgs_.find(occupant);
    if (occupant != 0 && prev != msgs_.end() && prev->second.state != State::kDone) ++stats_.overwrites;
    occupant = s->id();
  }
  std::vector<uint8_t> image(ring_.data() + offset, ring_.data() + offset + get_u32(ring_.data() + offset));
  attach_body(std::move(*s), std::move(image));
}

bool ServerCore::attach_body(Slot slot, std::vector<uint8_t> image) {
  for (uint16_t g : slot.dst)
    if (g >= topo_.groups.size()) {
      ++stats_.malformed;
      return false;
    }
  Msg& m = msg(slot.id());
  if (m.body) {
    // Relays reuse the home slot with identical bytes (D3): a duplicate changes nothing.
    ++stats_.duplicates;
    return false;
  }
  m.body = std::move(slot);
  m.image = std::move(image);
  if (suspected_.count(m.body->client)) relay(m);
  progress(m);
  return true;
}

void ServerCore::absorb_ts(uint32_t from, uint32_t offset) {
  auto c = decode_cell(ts_.data() + offset);
  if (!c) return;
  if (offset < kTsControlBytes) {
    // Round barrier (D8): my leader settled every chosen stamp of the previous rounds.
    if (from != leader_ || c->round != round_) {
      ++stats_.fenced;
      return;
    }
    if (!round_open_ || open_floor_ != round_) {
      round_open_ = true;
      open_floor_ = round_;
      for (auto& [id, m] : msgs_) refresh_blocking(m);
    }
    return;
  }
  const uint32_t h = uint32_t(c->value & ((1u << kGroupBits) - 1));
  if (h >= topo_.groups.size()) {
    ++stats_.malformed;
    return;
  }
  Msg& m = msg(c->id);
  const Stamp st{c->round, c->value};
  if (h == group_) {
    // Own group: only my current leader, only in my current round (promise, §6 fencing).
    if (from != leader_ || c->round != round_) {
      ++stats_.fenced;
      return;
    }
    m.ts[h] = st;
  } else {
    // Foreign group: at a follower only my leader's forward counts (Task 4; the CL3 argument
    // needs my leader to have seen it first); at a leader, the writes of h's processes.
    auto fm = topo_.members.find(from);
    const bool ok = from == leader_ || (is_leader() && fm != topo_.members.end() && fm->second.group == h);
    if (!ok) {
      ++stats_.fenced;
      return;
    }
    if (m.ts[h].round > st.round) return;  // stale round
    m.ts[h] = st;
  }
  see(c->value);
  refresh_blocking(m);
  if (m.body) progress(m);
}

void ServerCore::absorb_ack(uint32_t from, uint32_t offset) {
  auto c = decode_cell(ack_.data() + offset);
  if (!c) return;
  const uint32_t h = uint32_t(c->value & ((1u << kGroupBits) - 1));
  auto fm = topo_.members.find(from);
  const uint32_t column = (offset / kCellBytes) % kMaxGroupSize;
  if (fm == topo_.members.end() || fm->second.group != h || fm->second.index != column) {
    ++stats_.malformed;
    return;
  }
  Msg& m = msg(c->id);
  auto it = m.acks.find(from);
  if (it != m.acks.end() && (it->second.round > c->round || (it->second.round == c->round && it->second.clock > c->clock)))
    return;  // older than what this acker already told me
  m.acks[from] = *c;
  see(c->value);
  if (m.body) progress(m);
}

// --- Tasks 2–6 --------------------------------------------------------------------------

void ServerCore::progress(Msg& m) {
  if (is_leader() && round_open_) {
    // Before my round opens (Task 9) I write nothing but settled stamps, so that a follower
    // receives every settled stamp of mine before any forwarded one (the CL3 argument).
    if (m.state == State::kMcast && m.ts[group_].round != round_) propose(m, std::nullopt);
    forward(m);
  }
  acknowledge(m);
  try_order(m);
}

void ServerCore::propose(Msg& m, std::optional<uint64_t> value) {
  // Task 2 (CL1), or Task 9 re-proposing a settled value in the new round. My own stamp is
  // my acceptance (D2): it lives in the shadow state, so no local store is needed.
  uint64_t v;
  if (value) {
    v = *value;
  } else {
    ++clock_;
    v = ts_encode(clock_, group_);
  }
  see(v);
  m.ts[group_] = Stamp{round_, v};
  refresh_blocking(m);
  const Slot& b = *m.body;
  const uint32_t w = topo_.client_index.at(b.client);
  const Cell cell{m.id, round_, v, 0};
  const uint32_t own = ts_offset(w, b.slot_for(group_), uint32_t(b.dst_index(group_)));
  for (uint32_t q : topo_.groups[group_])
    if (q != self_) write_cell(q, Region::kTs, own, cell);
  for (uint16_t h : b.dst)
    if (h != group_) send_own_stamp(m, h);
}

void ServerCore::send_own_stamp(Msg& m, uint32_t h) {
  // Task 2's write to the other destination groups' leaders (as I currently know them).
  const Slot& b = *m.body;
  const uint32_t to = leader_of_[h];
  auto it = m.ts.find(group_);
  if (it == m.ts.end() || !it->second.set() || it->second.round != round_ || m.sent_to[to] == it->second) return;
  m.sent_to[to] = it->second;
  const uint32_t w = topo_.client_index.at(b.client);
  write_cell(to, Region::kTs, ts_offset(w, b.slot_for(h), uint32_t(b.dst_index(group_))),
             Cell{m.id, it->second.round, it->second.value, 0});
}

void ServerCore::forward(Msg& m) {
  // Task 4: my followers learn foreign stamps only through me, after my CL2 (CL3).
  const Slot& b = *m.body;
  const uint32_t w = topo_.client_index.at(b.client);
  const uint32_t slot = b.slot_for(group_);
  for (uint16_t h : b.dst) {
    if (h == group_) continue;
    const Stamp st = m.ts.count(h) ? m.ts[h] : Stamp{};
    if (!st.set() || m.forwarded[h] == st) continue;
    m.forwarded[h] = st;
    const Cell cell{m.id, st.round, st.value, 0};
    for (uint32_t q : topo_.groups[group_])
      if (q != self_) write_cell(q, Region::kTs, ts_offset(w, slot, uint32_t(b.dst_index(h))), cell);
  }
}

void ServerCore::acknowledge(Msg& m) {
  // Task 3, with D1/D2: every member (the leader too) acks its group's stamp of the current
  // round, once it knows every destination group's stamp, carrying its clock; the ack is
  // rewritten whenever a larger stamp of m becomes known.
  const Slot& b = *m.body;
  const Stamp own = m.ts.count(group_) ? m.ts[group_] : Stamp{};
  if (!own.set() || own.round != round_) return;
  uint32_t max_counter = 0;
  for (uint16_t h : b.dst) {
    auto it = m.ts.find(h);
    if (it == m.ts.end() || !it->second.set()) return;
    max_counter = std::max<uint32_t>(max_counter, uint32_t(ts_counter(it->second.value)));
  }
  if (m.acked == own && m.acked_max >= max_counter) return;
  assert(clock_ >= max_counter);  // CL2 ran on every stamp above
  m.acked = own;
  m.acked_max = max_counter;
  const uint32_t w = topo_.client_index.at(b.client);
  const uint32_t column = topo_.members.at(self_).index;
  const uint32_t gi = uint32_t(b.dst_index(group_));
  const Cell cell{m.id, own.round, own.value, clock_};
  for (uint16_t h : b.dst)
    for (uint32_t p : topo_.groups[h]) write_cell(p, Region::kAck, ack_offset(w, b.slot_for(h), gi, column), cell);
}

void ServerCore::try_order(Msg& m) {
  // Task 5: every destination group's stamp, each confirmed by a quorum of that group whose
  // acks carry a clock at least the final timestamp's counter (D1).
  if (m.state != State::kMcast) return;
  const Slot& b = *m.body;
  // Cheap bound first (this runs on every ack of every destination member, O(k²) per
  // message): a quorum of every destination group needs at least that many ackers.
  size_t needed = 0;
  for (uint16_t h : b.dst) needed += topo_.quorum(h);
  if (m.acks.size() < needed) return;
  uint64_t final_ts = 0;
  for (uint16_t h : b.dst) {
    auto it = m.ts.find(h);
    if (it == m.ts.end() || !it->second.set()) return;
    final_ts = std::max(final_ts, it->second.value);
  }
  const uint64_t need = ts_counter(final_ts);
  for (uint16_t h : b.dst) {
    const Stamp st = m.ts[h];
    uint32_t votes = 0;
    for (uint32_t q : topo_.groups[h]) {
      auto a = m.acks.find(q);
      if (a != m.acks.end() && a->second.round == st.round && a->second.value == st.value && a->second.clock >= need) ++votes;
    }
    if (votes < topo_.quorum(h)) return;
  }
  m.state = State::kOrdered;
  m.final_ts = final_ts;
  see(final_ts);
  ordered_.insert({final_ts, m.id});
  refresh_blocking(m);
}

void ServerCore::refresh_blocking(Msg& m) {
  // Task 6 guard (with the ghost rule of §5): an undecided message whose own-group stamp is
  // smaller blocks delivery, whether or not its body has arrived. Stamps of rounds before the
  // last barrier were not chosen (D8) and no longer block.
  if (m.blocking) blocking_.erase(*m.blocking);
  m.blocking.reset();
  auto it = m.ts.find(group_);
  if (m.state == State::kMcast && it != m.ts.end() && it->second.set() && it->second.round >= open_floor_) {
    m.blocking = Key{it->second.value, m.id};
    blocking_.insert(*m.blocking);
  }
}

void ServerCore::try_deliver() {
  // Between a promise and my leader's barrier its stamps may reach me with gaps (writes that
  // met my old fence come again, before the barrier: D8), so deliver nothing until it lands.
  if (!round_open_) return;
  while (!ordered_.empty()) {
    const Key next = *ordered_.begin();
    if (!blocking_.empty() && *blocking_.begin() < next) return;
    Msg& m = msgs_.at(next.second);
    ordered_.erase(ordered_.begin());
    m.state = State::kDone;
    ++stats_.delivered;
    fx_.deliveries.push_back(Delivery{m.id, m.final_ts, m.body->dst, m.body->payload});
    free_slot(m);
  }
}

void ServerCore::free_slot(const Msg& m) {
  // §7: the head moves over the contiguous freed prefix; the client reads it as credit.
  const Slot& b = *m.body;
  const uint32_t w = topo_.client_index.at(b.client);
  freed_[w].insert(b.pos[size_t(b.dst_index(group_))]);
  const uint64_t before = head_[w];
  while (freed_[w].count(head_[w])) freed_[w].erase(head_[w]++);
  if (head_[w] == before) return;
  uint8_t word[kCreditBytes];
  put_u64(word, head_[w]);
  write(b.client, Region::kCredit, credit_offset(topo_.members.at(self_).server), word, kCreditBytes);
}

void ServerCore::relay(Msg& m) {
  // Task 10 / Relay: the client's own bytes into its home slot at every destination (D3).
  if (m.relayed || !m.body) return;
  m.relayed = true;
  const Slot& b = *m.body;
  const uint32_t w = topo_.client_index.at(b.client);
  for (uint16_t h : b.dst)
    for (uint32_t p : topo_.groups[h])
      if (p != self_) write(p, Region::kRing, ring_offset(w, b.slot_for(h)), m.image.data(), m.image.size());
}

// --- control plane ----------------------------------------------------------------------

void ServerCore::install_round(uint64_t round) {
  if (round <= round_) throw std::invalid_argument("ramcast: rounds only increase");
  round_ = round;
  leader_ = round_leader(round);
  leader_of_[group_] = leader_;
  round_open_ = false;  // until the barrier (follower) or open_round() (leader)
  if (is_leader()) {
    // Whatever I wrote in an earlier stint as leader may have met fences since: write afresh.
    for (auto& [id, m] : msgs_) {
      m.forwarded.clear();
      m.sent_to.clear();
    }
  }
}

void ServerCore::set_group_leader(uint32_t g, uint32_t leader) {
  if (g >= topo_.groups.size() || g == group_) throw std::invalid_argument("ramcast: not a foreign group");
  leader_of_[g] = leader;
  if (!is_leader() || !round_open_) return;
  // The new leader of g needs my group's stamps for messages we share (Lemma 1 liveness);
  // what I sent it before it led may have met its fence, so send everything again.
  for (auto& [id, m] : msgs_)
    if (m.body && m.body->dst_index(g) >= 0) {
      m.sent_to.erase(leader);
      send_own_stamp(m, g);
    }
  drain_local();
}

void ServerCore::observe_clock(uint32_t counter) { clock_ = std::max(clock_, counter); }

void ServerCore::settle(const std::vector<uint8_t>& image, std::optional<uint64_t> value,
                        const std::vector<GroupStamp>& foreign) {
  if (!is_leader() || round_open_) throw std::logic_error("ramcast: settle outside Task 9");
  auto s = decode_slot(image.data(), image.size());
  if (!s || s->dst_index(group_) < 0) throw std::invalid_argument("ramcast: settle needs a valid body for my group");
  const uint64_t id = s->id();
  attach_body(std::move(*s), image);
  Msg& m = msgs_.at(id);
  for (const GroupStamp& f : foreign) {
    if (f.group == group_ || m.body->dst_index(f.group) < 0) continue;
    if (m.ts[f.group].round <= f.stamp.round) m.ts[f.group] = f.stamp;
    see(f.stamp.value);
  }
  propose(m, value);
}

void ServerCore::open_round(const std::vector<uint32_t>& promised) {
  if (!is_leader() || round_open_) throw std::logic_error("ramcast: open_round outside Task 9");
  // Only members that promised before I settled received every settled stamp; the others
  // get theirs, and then the barrier, from resync() once their promise reaches me.
  const Cell barrier{0, round_, 0, 0};
  for (uint32_t q : promised)
    if (q != self_ && topo_.members.count(q) && topo_.members.at(q).group == group_) write_cell(q, Region::kTs, 0, barrier);
  round_open_ = true;
  open_floor_ = round_;
  for (auto& [id, m] : msgs_) refresh_blocking(m);
  for (auto& [id, m] : msgs_)
    if (m.body) progress(m);
  drain_local();
  try_deliver();
}

void ServerCore::resync(uint32_t node) {
  auto it = topo_.members.find(node);
  if (!is_leader() || !round_open_ || it == topo_.members.end() || node == self_) return;
  const uint32_t h = it->second.group;
  if (h == group_) {
    // Same order as Task 9: my stamps in increasing value, the barrier, then the forwards.
    std::vector<std::pair<uint64_t, Msg*>> mine;
    for (auto& [id, m] : msgs_) {
      auto st = m.ts.find(group_);
      if (m.body && st != m.ts.end() && st->second.round == round_) mine.push_back({st->second.value, &m});
    }
    std::sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    auto cell_to = [&](Msg& m, uint32_t g, const Stamp& st) {
      const Slot& b = *m.body;
      write_cell(node, Region::kTs, ts_offset(topo_.client_index.at(b.client), b.slot_for(group_), uint32_t(b.dst_index(g))),
                 Cell{m.id, st.round, st.value, 0});
    };
    for (auto& [v, m] : mine) cell_to(*m, group_, m->ts[group_]);
    write_cell(node, Region::kTs, 0, Cell{0, round_, 0, 0});
    for (auto& [id, m] : msgs_)
      if (m.body)
        for (const auto& [g, st] : m.forwarded)
          if (st.set()) cell_to(m, g, st);
  } else if (leader_of_[h] == node) {
    for (auto& [id, m] : msgs_)
      if (m.body && m.body->dst_index(h) >= 0) {
        m.sent_to.erase(node);
        send_own_stamp(m, h);
      }
  }
}

void ServerCore::suspect_client(uint32_t client) {
  if (!topo_.client_index.count(client)) throw std::invalid_argument("ramcast: not a client");
  suspected_.insert(client);
  for (auto& [id, m] : msgs_)
    if (m.body && m.body->client == client) relay(m);
}

Report ServerCore::report(uint32_t g) const {
  Report r{clock_, {}};
  for (const auto& [id, m] : msgs_) {
    if (!m.body || m.body->dst_index(g) < 0) continue;
    ReportEntry e{m.id, m.image, {}};
    for (const auto& [h, st] : m.ts)
      if (st.set()) e.stamps.push_back({h, st});
    r.messages.push_back(std::move(e));
  }
  return r;
}

std::string ServerCore::describe_pending() const {
  std::ostringstream out;
  out << "node " << self_ << " round " << round_ << " leader " << leader_ << (round_open_ ? " open" : " settling")
      << " clock " << clock_ << "\n";
  for (const auto& [id, m] : msgs_) {
    if (m.state == State::kDone) continue;
    out << id_client(id) << ":" << id_seq(id) << (m.body ? "" : " (no body)")
        << (m.state == State::kOrdered ? " ORDERED" : " MCAST") << (m.blocking ? " blocking" : "");
    for (const auto& [g, st] : m.ts) out << " ts[" << g << "]=(" << st.round << "," << st.value << ")";
    for (const auto& [q, a] : m.acks) out << " ack[" << q << "]=(" << a.round << "," << a.value << ",c" << a.clock << ")";
    if (m.acked.set()) out << " my-ack=(" << m.acked.round << "," << m.acked.value << ",max" << m.acked_max << ")";
    out << "\n";
  }
  return out.str();
}

Effects ServerCore::take_effects() {
  drain_local();
  try_deliver();
  Effects out = std::move(fx_);
  fx_ = Effects{};
  return out;
}

}  // namespace castellan::ramcast
