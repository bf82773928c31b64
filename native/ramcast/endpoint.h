// One RamCast node in the real runtime: its core (server or client), its mailbox regions
// (mailbox.h), and a link per peer carrying its one-sided writes. The driver thread calls
// poll() (apply landed records to the core, execute the core's writes, queue deliveries for
// JS) and the control plane calls grant/revoke/attach and the core's control methods, all
// under the driver's mutex. Nothing here runs JS.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ramcast/client_core.h"
#include "ramcast/mailbox.h"
#include "ramcast/server_core.h"
#include "rma/rma.h"

namespace castellan::ramcast {

struct EndpointOptions {
  rma::Backend backend = rma::Backend::kShm;
  /** Where peers reach this node's regions (verbs, fabric). */
  std::string address = "127.0.0.1";
  /** Record when each stage of every message landed here (bench breakdown per hop). */
  bool trace = false;
};

/** A multicast of this client delivered as awaited; times are CLOCK_MONOTONIC ns. */
struct Completion {
  uint32_t seq;
  int64_t issued_ns;
  int64_t done_ns;
};

/** When each write hop of a delivered message reached this server (0: not seen here). */
struct StageTrace {
  uint64_t id;
  int64_t body_ns;     // client's (or a relay's) body
  int64_t ts_ns;       // first timestamp cell for it (followers; a leader stamps itself)
  int64_t ack_ns;      // the last ack cell before delivery
  int64_t deliver_ns;
};

struct Outbox {
  std::vector<Delivery> deliveries;
  std::vector<Completion> completions;
  std::vector<StageTrace> traces;
  bool empty() const { return deliveries.empty() && completions.empty() && traces.empty(); }
};

struct EndpointStats {
  uint64_t records_in = 0;     // records applied to the core
  uint64_t records_out = 0;    // records written to peers
  uint64_t rma_writes = 0;     // one-sided writes issued (records are batched per write)
  uint64_t bytes_out = 0;
  uint64_t fenced_writes = 0;  // writes refused because a peer revoked my grant (§6), and held records dropped
  uint64_t stalls = 0;         // flushes that waited for a peer to consume its ring
  uint64_t dropped = 0;        // records to a peer that crashed or was detached
  uint64_t bad_records = 0;    // records naming a region or range the core does not have
};

class Endpoint {
 public:
  Endpoint(Topology topology, uint32_t self, bool server, const EndpointOptions& options);
  ~Endpoint();

  uint32_t node() const { return self_; }
  bool is_server() const { return server_ != nullptr; }
  std::vector<rma::Region*> regions();

  // --- connection setup and fencing (control plane) ---
  /** A fresh write permission for `peer` on my `log` mailbox: the handle bytes it attaches. */
  std::vector<uint8_t> grant(uint32_t peer, Log log);
  /** Withdraws `peer`'s permission on my `log` mailbox; on return none of its writes lands. */
  void revoke(uint32_t peer, Log log);
  /** Opens my link to `peer`'s `log` mailbox from the handle it granted me. */
  void attach(uint32_t peer, Log log, const uint8_t* handle, size_t len);
  /** `peer` crashed: drop my links to it and everything still queued for it. */
  void detach(uint32_t peer);

  // --- hot path (driver thread) ---
  /** Applies every record that landed, then executes what the core asked for. */
  size_t poll();
  /** Takes the core's effects after a control call and executes them. */
  void absorb_effects();
  /** Retries writes that waited for ring space. */
  void flush();
  /** Writes waiting for ring space or for their link (attach). */
  bool has_pending() const { return pending_ != 0; }
  Outbox& outbox() { return outbox_; }

  ServerCore& server_core();
  ClientCore& client_core();
  /** Task 1 through the client core; records the call time for its Completion. */
  uint32_t multicast(std::vector<uint16_t> dst, std::vector<uint8_t> payload, Await await);

  const EndpointStats& stats() const { return stats_; }
  /** Records queued (for ring space, an attach, or a new grant after fencing), and the peers
   *  whose ts mailbox currently refuses me. */
  size_t pending() const { return pending_; }
  std::vector<uint32_t> fenced_by() const;
  /** One line per link (queued records per log, attached, fenced, dead, ring positions) and per
   *  ring read (consumed, reported, next sequence number): diagnostics of a stuck run. */
  std::string describe_links() const;

 private:
  struct RxRing {
    uint64_t consumed = 0;  // bytes of the ring consumed (monotonic; position = consumed % size)
    uint64_t reported = 0;  // ... as last written back to the writer
    uint32_t next_seq = 1;
  };
  struct TxLog {
    std::unique_ptr<rma::Connection> conn;
    uint64_t written = 0;  // bytes of my ring at the peer written (monotonic)
    uint32_t seq = 0;      // last record sequence number written
    std::deque<Write> pending;
    bool fenced = false;  // the peer revoked my grant: records wait for a new one (D14)
  };
  struct Link {
    uint32_t node;
    uint32_t index;
    TxLog tx[kLogs];
    uint32_t grants[kLogs] = {0, 0};  // grant ids I gave it (0: none)
    bool dead = false;
  };

  uint32_t index_of(uint32_t node) const;
  Link& link(uint32_t node);
  rma::Region* mailbox(Log log) { return mailboxes_[uint32_t(log)].get(); }
  uint64_t consumed_by_peer(const Link& l, Log log) const;
  void drain(Log log, uint32_t writer_index);
  void apply(uint32_t from, Log log, const RecordView& r);
  void execute(Effects fx);
  void queue(Write w);
  void flush(Link& l, Log log);
  void report_consumed(uint32_t writer_index, Log log, RxRing& rx);
  void trace_record(const RecordView& r, int64_t now);
  void kick();

  Topology topo_;
  uint32_t self_;
  uint32_t self_index_;
  uint32_t nodes_;
  std::vector<uint32_t> node_at_;  // node index → node id
  std::unique_ptr<ServerCore> server_;
  std::unique_ptr<ClientCore> client_;
  std::unique_ptr<rma::Region> mailboxes_[kLogs];
  /** A write permission on my own data mailbox: ringing my own doorbell wakes my driver. */
  std::unique_ptr<rma::Connection> self_link_;
  std::vector<RxRing> rx_[kLogs];
  std::unordered_map<uint32_t, Link> links_;
  std::vector<uint8_t> copy_;     // one record read out of a ring
  std::vector<uint8_t> scratch_;  // records staged for one write
  Outbox outbox_;
  EndpointStats stats_;
  size_t pending_ = 0;
  bool trace_;
  struct Seen {
    int64_t body_ns = 0, ts_ns = 0, ack_ns = 0;
  };
  std::unordered_map<uint64_t, Seen> seen_;              // trace only
  std::unordered_map<uint32_t, int64_t> called_ns_;      // client: multicast call time per seq
};

int64_t monotonic_ns();

}  // namespace castellan::ramcast
