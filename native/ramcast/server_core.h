// The per-message RamCast state machine of one server process (spec §5 Tasks 2–6, the
// relay half of Task 10, and the native side of Task 9), sans-IO over its own memory
// regions: the host reports "bytes landed at (region, offset)" and drains effects.
// Leader election, CATCH_UP and failure detection live in the TypeScript control plane
// (src/ramcast), which drives this core through the narrow methods below.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "ramcast/effects.h"
#include "ramcast/layout.h"
#include "ramcast/topology.h"

namespace castellan::ramcast {

/** A (round, value) pair as accepted or known for one group; round 0 means none. */
struct Stamp {
  uint64_t round = 0;
  uint64_t value = 0;
  bool set() const { return round != 0; }
  bool operator==(const Stamp& o) const { return round == o.round && value == o.value; }
  bool operator!=(const Stamp& o) const { return !(*this == o); }
};

struct GroupStamp {
  uint32_t group;
  Stamp stamp;
};

struct ReportEntry {
  uint64_t id;
  std::vector<uint8_t> image;       // the slot image (body)
  std::vector<GroupStamp> stamps;   // every group timestamp known here for the message
};

struct Report {
  uint32_t clock;
  std::vector<ReportEntry> messages;
};

struct Stats {
  uint64_t fenced = 0;      // TS writes from a process that may not write them (§6)
  uint64_t duplicates = 0;  // bodies already held (relays, retransmits)
  uint64_t malformed = 0;   // torn or invalid slots and cells
  uint64_t delivered = 0;
  uint64_t overwrites = 0;  // a body landed on a slot whose message was not yet DONE (§7: must stay 0)
};

class ServerCore {
 public:
  ServerCore(Topology topology, uint32_t self);

  uint8_t* region_data(Region r);
  size_t region_size(Region r) const;

  /** Bytes [offset, offset+len) of `region` were written by `from`: absorb and react. */
  void landed(uint32_t from, Region region, uint32_t offset, uint32_t len);

  // --- control plane (src/ramcast) ---
  /** Task 8 at a member of my group: promise `round`; its leader alone may write my TS. */
  void install_round(uint64_t round);
  /** Task 8 at a process of another group: group g's leader is now `leader`. */
  void set_group_leader(uint32_t g, uint32_t leader);
  /** CL2 for every clock and value a CATCH_UP reply carried. */
  void observe_clock(uint32_t counter);
  /** Task 9: settle my group's timestamp for a reported message (value or a fresh one). */
  void settle(const std::vector<uint8_t>& image, std::optional<uint64_t> value,
              const std::vector<GroupStamp>& foreign);
  /** Task 9 done: write the round barrier to the members that promised before I settled
   *  (`promised`), and resume Task 2. */
  void open_round(const std::vector<uint32_t>& promised);
  /** `node` just promised my round (a member) or learnt that I lead (another group's leader):
   *  anything I wrote to it before may have been refused by its fence, so write it again. */
  void resync(uint32_t node);
  /** Task 10: relay every message of a suspected client, now and as more arrive. */
  void suspect_client(uint32_t client);
  /** Task 8 reply contents for group g. */
  Report report(uint32_t g) const;

  Effects take_effects();
  /** Messages not yet delivered here, described one per line (diagnostics of a stuck run). */
  std::string describe_pending() const;
  const Stats& stats() const { return stats_; }
  uint64_t round() const { return round_; }
  uint32_t leader() const { return leader_; }
  uint32_t clock() const { return clock_; }

 private:
  enum class State : uint8_t { kMcast, kOrdered, kDone };
  using Key = std::pair<uint64_t, uint64_t>;  // (timestamp value, message id): total order

  struct Msg {
    uint64_t id = 0;
    std::optional<Slot> body;
    std::vector<uint8_t> image;
    State state = State::kMcast;
    std::map<uint32_t, Stamp> ts;         // TS[m][g] as known here
    std::map<uint32_t, Cell> acks;        // acker node → its latest ack
    std::map<uint32_t, Stamp> forwarded;  // leader: foreign stamps already forwarded (Task 4)
    std::map<uint32_t, Stamp> sent_to;    // leader: own stamp last written to each other leader
    Stamp acked;                          // last ack I wrote (Task 3)
    uint32_t acked_max = 0;               // ... and the largest counter it covered
    uint64_t final_ts = 0;
    std::optional<Key> blocking;          // key in blocking_ while registered
    bool relayed = false;
  };

  bool is_leader() const { return leader_ == self_; }
  Msg& msg(uint64_t id);
  void write(uint32_t to, Region region, uint32_t offset, const uint8_t* p, size_t n);
  void write_cell(uint32_t to, Region region, uint32_t offset, const Cell& c);
  void drain_local();

  void absorb_ring(uint32_t from, uint32_t offset);
  void absorb_ts(uint32_t from, uint32_t offset);
  void absorb_ack(uint32_t from, uint32_t offset);
  bool attach_body(Slot slot, std::vector<uint8_t> image);

  void progress(Msg& m);
  void propose(Msg& m, std::optional<uint64_t> value);
  void send_own_stamp(Msg& m, uint32_t h);
  void forward(Msg& m);
  void acknowledge(Msg& m);
  void try_order(Msg& m);
  void try_deliver();
  void refresh_blocking(Msg& m);
  void free_slot(const Msg& m);
  void relay(Msg& m);
  void see(uint64_t value);

  Topology topo_;
  uint32_t self_;
  uint32_t group_;
  std::vector<uint8_t> ring_, ts_, ack_;

  uint64_t round_;
  uint32_t leader_;
  uint64_t open_floor_;  // own-group stamps below this round were settled away (barrier)
  bool round_open_ = true;
  uint32_t clock_ = 0;
  std::vector<uint32_t> leader_of_;  // per group, as known here

  std::unordered_map<uint64_t, Msg> msgs_;
  std::set<Key> ordered_;   // ORDERED messages by (final ts, id)
  std::set<Key> blocking_;  // undecided messages by own-group stamp (Task 6 guard)
  std::unordered_set<uint32_t> suspected_;
  // Flow control (§7): per client, positions in my group's ring freed so far.
  std::vector<uint64_t> head_;
  std::vector<std::set<uint64_t>> freed_;
  std::vector<uint64_t> occupant_;  // per (client, slot): id of the body last placed there

  std::deque<Write> local_;  // self-writes to absorb, with their bytes
  Effects fx_;
  Stats stats_;
};

}  // namespace castellan::ramcast
