// A RamCast node's record I/O (endpoint.h). Writes of the core become records in the
// target's mailbox ring for me (mailbox.h), batched into one rma write per contiguous run;
// records landed in my rings are applied to the core in each writer's order.
#include "ramcast/endpoint.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace castellan::ramcast {
namespace {

// A receiver writes back how much of a ring it consumed once it is this far ahead of its last
// report: often enough that a writer never waits long, rarely enough to cost nothing. A writer
// with more than (ring − this) unconsumed bytes is guaranteed a report when those are consumed.
constexpr uint32_t kReportDivisor = 8;
// Records waiting for ring space at one peer. A peer that falls this far behind is treated as
// crashed (its link is dropped): a group tolerates f such members (spec §1).
constexpr size_t kPendingRecordsMax = 1 << 20;
// Records held for a peer that revoked my ts grant, until it grants me again: the newest this
// many; older ones are dropped (counted as fenced), being of rounds the peer has left anyway.
constexpr size_t kFencedRecordsMax = 4096;

}  // namespace

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Endpoint::Endpoint(Topology topology, uint32_t self, bool server, const EndpointOptions& options)
    : topo_(std::move(topology)), self_(self), trace_(options.trace) {
  if (server)
    server_ = std::make_unique<ServerCore>(topo_, self);
  else
    client_ = std::make_unique<ClientCore>(topo_, self);
  topo_.index();
  nodes_ = uint32_t(topo_.members.size() + topo_.clients.size());
  node_at_.resize(nodes_);
  for (const auto& [node, m] : topo_.members) node_at_[m.server] = node;
  for (uint32_t i = 0; i < topo_.clients.size(); ++i) node_at_[topo_.members.size() + i] = topo_.clients[i];
  self_index_ = index_of(self);
  const uint32_t servers = uint32_t(topo_.members.size());
  rma::RegionOptions ro;
  ro.backend = options.backend;
  ro.address = options.address;
  // Every node may write my data mailbox; only servers write a ts mailbox (servers only).
  ro.bytes = mailbox_bytes(Log::kData, nodes_, nodes_);
  mailboxes_[0] = rma::create_region(ro);
  rx_[0].resize(nodes_);
  if (server) {
    ro.bytes = mailbox_bytes(Log::kTs, nodes_, servers);
    mailboxes_[1] = rma::create_region(ro);
    rx_[1].resize(servers);
  }
  if (!server) self_link_ = rma::connect(mailboxes_[0]->grant().handle);
  copy_.resize(record_bytes(kRecordPayloadMax));
  scratch_.resize(kDataRingBytes);
}

Endpoint::~Endpoint() {
  links_.clear();
  self_link_.reset();
  for (auto& m : mailboxes_)
    if (m) m->close();
}

std::vector<rma::Region*> Endpoint::regions() {
  std::vector<rma::Region*> out;
  for (auto& m : mailboxes_)
    if (m) out.push_back(m.get());
  return out;
}

uint32_t Endpoint::index_of(uint32_t node) const {
  auto m = topo_.members.find(node);
  if (m != topo_.members.end()) return m->second.server;
  auto c = topo_.client_index.find(node);
  if (c != topo_.client_index.end()) return uint32_t(topo_.members.size()) + c->second;
  throw std::invalid_argument("ramcast: node " + std::to_string(node) + " is not in the topology");
}

Endpoint::Link& Endpoint::link(uint32_t node) {
  if (node == self_) throw std::invalid_argument("ramcast: a node has no link to itself");
  auto it = links_.find(node);
  if (it != links_.end()) return it->second;
  Link l;
  l.node = node;
  l.index = index_of(node);
  return links_.emplace(node, std::move(l)).first->second;
}

ServerCore& Endpoint::server_core() {
  if (!server_) throw std::logic_error("ramcast: this endpoint is a client");
  return *server_;
}

ClientCore& Endpoint::client_core() {
  if (!client_) throw std::logic_error("ramcast: this endpoint is a server");
  return *client_;
}

// --- connection setup and fencing ---------------------------------------------------------

std::vector<uint8_t> Endpoint::grant(uint32_t peer, Log log) {
  if (!mailbox(log)) throw std::invalid_argument("ramcast: a client has no ts mailbox");
  if (log == Log::kTs && !topo_.members.count(peer)) throw std::invalid_argument("ramcast: only servers write ts");
  Link& l = link(peer);
  if (l.grants[uint32_t(log)]) mailbox(log)->revoke(l.grants[uint32_t(log)]);
  rma::Grant g = mailbox(log)->grant();
  l.grants[uint32_t(log)] = g.id;
  return g.handle;
}

void Endpoint::revoke(uint32_t peer, Log log) {
  if (!mailbox(log)) return;
  Link& l = link(peer);
  if (!l.grants[uint32_t(log)]) return;
  mailbox(log)->revoke(l.grants[uint32_t(log)]);
  l.grants[uint32_t(log)] = 0;
}

void Endpoint::attach(uint32_t peer, Log log, const uint8_t* handle, size_t len) {
  Link& l = link(peer);
  TxLog& tx = l.tx[uint32_t(log)];
  std::unique_ptr<rma::Connection> conn;
  try {
    conn = rma::connect(handle, len);
  } catch (const rma::RmaError& e) {
    // Grants race with fencing: by the time this one arrives the peer may have promised a
    // higher round and revoked it again (§6), or crashed. Either way nothing may be written.
    if (e.code() == "ERR_CASTELLAN_RMA_REVOKED") {
      if (tx.conn) tx.conn->close();
      tx.conn.reset();
      tx.fenced = true;
      return;
    }
    if (e.code() == "ERR_CASTELLAN_RMA_PEER_GONE") {
      detach(peer);
      return;
    }
    throw;
  }
  const uint32_t need = ring_offset_in_mailbox(log, nodes_, self_index_ + 1);
  if (conn->size() < need) throw std::invalid_argument("ramcast: peer's mailbox is smaller than this topology needs");
  if (tx.conn) tx.conn->close();
  // A new grant after a revoke: my ring at the peer continues where the last accepted write
  // left it (a refused write never lands, rma.h), so position and sequence carry over.
  tx.conn = std::move(conn);
  tx.fenced = false;
  l.dead = false;
  flush(l, log);
}

void Endpoint::detach(uint32_t peer) {
  auto it = links_.find(peer);
  if (it == links_.end()) return;
  Link& l = it->second;
  l.dead = true;
  for (TxLog& tx : l.tx) {
    stats_.dropped += tx.pending.size();
    pending_ -= tx.pending.size();
    tx.pending.clear();
    if (tx.conn) tx.conn->close();
    tx.conn.reset();
  }
}

// --- receiving ----------------------------------------------------------------------------

size_t Endpoint::poll() {
  const uint64_t before = stats_.records_in;
  for (uint32_t log = 0; log < kLogs; ++log) {
    if (!mailboxes_[log]) continue;
    // The doorbell's acquire load orders this drain after every write it counted (rma.h).
    (void)mailboxes_[log]->doorbell();
    for (uint32_t w = 0; w < rx_[log].size(); ++w)
      if (w != self_index_) drain(Log(log), w);
  }
  if (stats_.records_in != before) absorb_effects();
  return size_t(stats_.records_in - before);
}

void Endpoint::drain(Log log, uint32_t writer_index) {
  RxRing& rx = rx_[uint32_t(log)][writer_index];
  const uint32_t size = ring_bytes(log);
  const uint8_t* ring = mailbox(log)->base() + ring_offset_in_mailbox(log, nodes_, writer_index);
  const uint32_t from = node_at_[writer_index];
  for (;;) {
    const uint32_t at = uint32_t(rx.consumed % size);
    const uint32_t room = size - at;
    if (room < kRecordMinBytes) {  // implicit wrap
      rx.consumed += room;
      continue;
    }
    auto r = read_record(ring + at, room, rx.next_seq, copy_.data());
    if (!r) break;
    ++rx.next_seq;
    if (r->kind == RecordKind::kWrap) {
      rx.consumed += room;
      continue;
    }
    rx.consumed += r->size;
    apply(from, log, *r);
  }
  if (rx.consumed - rx.reported >= size / kReportDivisor) report_consumed(writer_index, log, rx);
}

void Endpoint::report_consumed(uint32_t writer_index, Log log, RxRing& rx) {
  auto it = links_.find(node_at_[writer_index]);
  if (it == links_.end() || it->second.dead || !it->second.tx[0].conn) return;
  uint8_t word[kConsumedWordBytes];
  put_u64(word, rx.consumed);
  try {
    // In place, not a record: a monotonic counter only ever needs its latest value.
    it->second.tx[0].conn->write(consumed_offset(self_index_, log), word, sizeof word);
    rx.reported = rx.consumed;
  } catch (const rma::RmaError&) {
    // The writer is gone or closing; its failure detector handles the rest.
  }
}

void Endpoint::apply(uint32_t from, Log log, const RecordView& r) {
  uint8_t* base = nullptr;
  size_t limit = 0;
  if (server_ && r.region != Region::kCredit) {
    base = server_->region_data(r.region);
    limit = server_->region_size(r.region);
  } else if (client_ && r.region == Region::kCredit) {
    base = client_->region_data();
    limit = client_->region_size();
  }
  // A record must name a region this node has, within bounds, and arrive in the log that
  // carries that region: a TS cell through the data log would dodge the fence (§6).
  if (!base || size_t(r.offset) + r.len > limit || log_of(r.region) != log) {
    ++stats_.bad_records;
    return;
  }
  std::memcpy(base + r.offset, r.bytes, r.len);
  ++stats_.records_in;
  if (trace_ && server_) trace_record(r, monotonic_ns());
  if (server_)
    server_->landed(from, r.region, r.offset, r.len);
  else
    client_->landed(from, r.region, r.offset, r.len);
}

void Endpoint::trace_record(const RecordView& r, int64_t now) {
  if (r.region == Region::kRing && r.len >= 12) {
    Seen& s = seen_[msg_id(get_u32(r.bytes + 4), get_u32(r.bytes + 8))];
    if (!s.body_ns) s.body_ns = now;
  } else if (r.region == Region::kTs && r.offset >= kTsControlBytes && r.len >= 8) {
    Seen& s = seen_[get_u64(r.bytes)];
    if (!s.ts_ns) s.ts_ns = now;
  } else if (r.region == Region::kAck && r.len >= 8) {
    seen_[get_u64(r.bytes)].ack_ns = now;
  }
}

// --- sending ------------------------------------------------------------------------------

void Endpoint::absorb_effects() {
  execute(server_ ? server_->take_effects() : client_->take_effects());
}

void Endpoint::execute(Effects fx) {
  for (Write& w : fx.writes) queue(std::move(w));
  for (auto& [node, l] : links_)
    for (uint32_t log = 0; log < kLogs; ++log)
      if (!l.tx[log].pending.empty()) flush(l, Log(log));
  if (!fx.deliveries.empty()) {
    const int64_t now = monotonic_ns();
    for (Delivery& d : fx.deliveries) {
      if (trace_) {
        auto it = seen_.find(d.id);
        Seen s = it == seen_.end() ? Seen{} : it->second;
        if (it != seen_.end()) seen_.erase(it);
        outbox_.traces.push_back(StageTrace{d.id, s.body_ns, s.ts_ns, s.ack_ns, now});
      }
      outbox_.deliveries.push_back(std::move(d));
    }
  }
  if (!fx.completed.empty()) {
    const int64_t now = monotonic_ns();
    for (const Completed& c : fx.completed) {
      auto it = called_ns_.find(c.seq);
      const int64_t called = it == called_ns_.end() ? now : it->second;
      if (it != called_ns_.end()) called_ns_.erase(it);
      outbox_.completions.push_back(Completion{c.seq, called, now});
    }
  }
}

void Endpoint::queue(Write w) {
  if (w.to == self_ || w.bytes.size() > kRecordPayloadMax) {
    ++stats_.bad_records;  // cores absorb their own writes and never write more than a slot
    return;
  }
  Link& l = link(w.to);
  TxLog& tx = l.tx[uint32_t(log_of(w.region))];
  if (l.dead) {
    ++stats_.dropped;
    return;
  }
  if (tx.fenced && tx.pending.size() >= kFencedRecordsMax) {
    tx.pending.pop_front();
    --pending_;
    ++stats_.fenced_writes;
  }
  if (tx.pending.size() >= kPendingRecordsMax) {
    detach(w.to);
    ++stats_.dropped;
    return;
  }
  tx.pending.push_back(std::move(w));
  ++pending_;
}

std::vector<uint32_t> Endpoint::fenced_by() const {
  std::vector<uint32_t> out;
  for (const auto& [node, l] : links_)
    if (l.tx[uint32_t(Log::kTs)].fenced) out.push_back(node);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Endpoint::describe_links() const {
  std::string out;
  for (const auto& [node, l] : links_) {
    const TxLog& d = l.tx[uint32_t(Log::kData)];
    const TxLog& t = l.tx[uint32_t(Log::kTs)];
    out += std::to_string(node) + ": data " + std::to_string(d.pending.size()) + (d.conn ? "" : " unattached") + ", ts " +
           std::to_string(t.pending.size()) + (t.conn ? "" : " unattached") + (t.fenced ? " fenced" : "") + (l.dead ? " dead" : "") +
           " written " + std::to_string(d.written) + "/" + std::to_string(t.written) + " consumed " +
           std::to_string(consumed_by_peer(l, Log::kData)) + "/" + std::to_string(consumed_by_peer(l, Log::kTs)) + "\n";
  }
  for (uint32_t log = 0; log < kLogs; ++log)
    for (uint32_t w = 0; w < rx_[log].size(); ++w) {
      const RxRing& rx = rx_[log][w];
      if (!rx.consumed) continue;
      const uint32_t size = ring_bytes(Log(log));
      const uint8_t* at = mailboxes_[log]->base() + ring_offset_in_mailbox(Log(log), nodes_, w) + rx.consumed % size;
      out += "rx " + std::string(log_name(Log(log))) + " from " + std::to_string(node_at_[w]) + ": consumed " + std::to_string(rx.consumed) +
             " reported " + std::to_string(rx.reported) + " next_seq " + std::to_string(rx.next_seq) + " seq there " +
             std::to_string(get_u32(at)) + "\n";
    }
  return out;
}

void Endpoint::flush() {
  for (auto& [node, l] : links_)
    for (uint32_t log = 0; log < kLogs; ++log)
      if (!l.tx[log].pending.empty()) flush(l, Log(log));
}

uint64_t Endpoint::consumed_by_peer(const Link& l, Log log) const {
  // Written in place by the peer (report_consumed); an aligned 8-byte word, read atomically.
  const auto* word = reinterpret_cast<const uint64_t*>(mailboxes_[0]->base() + consumed_offset(l.index, log));
  return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

void Endpoint::flush(Link& l, Log log) {
  TxLog& tx = l.tx[uint32_t(log)];
  if (!tx.conn || l.dead) return;  // attached (again) later; records wait
  const uint32_t size = ring_bytes(log);
  const uint64_t ring_at = ring_offset_in_mailbox(log, nodes_, self_index_);
  while (!tx.pending.empty()) {
    const uint64_t consumed = consumed_by_peer(l, log);
    // One contiguous run of records from the current position up to the ring's end.
    uint64_t written = tx.written;
    uint32_t seq = tx.seq;
    const uint32_t start = uint32_t(written % size);
    uint32_t staged = 0;
    size_t taken = 0;
    bool wrap = false;
    while (taken < tx.pending.size()) {
      const Write& w = tx.pending[taken];
      const uint32_t need = record_bytes(uint32_t(w.bytes.size()));
      const uint32_t at = uint32_t(written % size);
      // The last record ended exactly at the ring's end: the next lap is another write, at the
      // ring's start (one contiguous run must never cross the end into the next ring).
      if (at == 0 && staged > 0) break;
      const uint32_t room = size - at;
      if (room < need) {
        if (written + room + need - consumed > size) break;  // wait: no room even after wrapping
        if (room >= kRecordMinBytes) {
          staged += encode_record(scratch_.data() + staged, ++seq, RecordKind::kWrap, Region::kRing, 0, nullptr, 0);
        }
        written += room;
        wrap = true;
        break;
      }
      if (written + need - consumed > size) break;
      staged += encode_record(scratch_.data() + staged, ++seq, RecordKind::kWrite, w.region, w.offset, w.bytes.data(),
                              uint32_t(w.bytes.size()));
      written += need;
      ++taken;
    }
    if (staged == 0 && !wrap) {
      ++stats_.stalls;
      return;
    }
    if (staged > 0) {
      try {
        tx.conn->write(ring_at + start, scratch_.data(), staged);
      } catch (const rma::RmaError& e) {
        if (e.code() == "ERR_CASTELLAN_RMA_REVOKED") {
          // Fenced (§6): the peer promised a higher round and revoked my grant; none of these
          // records landed, and none may until it grants me again. They wait (bounded) rather
          // than vanish: the grant and my next writes race on the way to me, and a write issued
          // after the peer granted again must land, as it would with the simulator's permit;
          // those of rounds the peer has left meanwhile its core refuses (D14).
          ++stats_.fenced_writes;
          tx.conn->close();
          tx.conn.reset();
          tx.fenced = true;
        } else {
          detach(l.node);  // the peer is gone (or broke the region): counted as dropped
        }
        return;
      }
      ++stats_.rma_writes;
      stats_.bytes_out += staged;
      stats_.records_out += taken;
    }
    tx.written = written;
    tx.seq = seq;
    tx.pending.erase(tx.pending.begin(), tx.pending.begin() + long(taken));
    pending_ -= taken;
  }
}

uint32_t Endpoint::multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload, Await await) {
  const int64_t called = monotonic_ns();
  const uint32_t seq = client_core().multicast(std::move(dst), std::move(payload), await);
  if (await != Await::kNone) called_ns_[seq] = called;
  absorb_effects();
  if (await != Await::kNone) kick();
  return seq;
}

void Endpoint::kick() {
  // Credit for this multicast comes back within a few hops: have my driver spinning for it
  // rather than asleep (a futex wake-up costs tens of µs on a busy 2-core machine). The word
  // is my own entry in my consumed area, which nobody reads.
  const uint64_t zero = 0;
  try {
    self_link_->write(consumed_offset(self_index_, Log::kData), &zero, sizeof zero);
  } catch (const rma::RmaError&) {
    // Closing: nothing to wake.
  }
}

}  // namespace castellan::ramcast
