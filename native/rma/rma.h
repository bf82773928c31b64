// castellan RMA: one-sided remote memory access for RamCast (spec/ramcast.md §3, §6).
//
// STABLE C++ API for native/ramcast (same addon; include "rma/rma.h"). Changes are additive.
//
//   auto region = rma::create_region({rma::Backend::kShm, bytes});   // owner side
//   region->base(), region->size()             // local memory the peers write into
//   rma::Grant g = region->grant();             // g.handle: bytes for the TCP control plane
//   region->revoke(g.id);                       // fence a writer (§6); returns when it is
//                                               // fenced: no write of that grant lands after
//   auto conn = rma::connect(handle_bytes);     // writer side, from the peer's handle
//   conn->write(offset, src, len);              // ordered per connection; throws RmaError
//   conn->read(offset, dst, len);
//   conn->peer_alive();                         // false once the owner crashed or closed
//   rma::Poller poller({spin_us});              // spin-then-wait on local regions
//   int slot = poller.watch(region.get());
//   poller.wait(timeout_us, ready);             // ready = watch slots whose region was written
//
// Completion ("written") signal: every completed write advances the region's doorbell word
// (region->doorbell()) with release order, so a reader that acquires the new doorbell value
// sees every byte of that write and of all earlier writes on the same connection.
//
// Fencing is cooperative on shm: the writer's library checks a per-grant permission word in
// the segment header under a busy count and revoke() waits the count out, so every writer
// that goes through this library is fenced; a process that maps the segment itself is not.
// On verbs the NIC enforces it (each grant is its own MR, revoke deregisters it: late writes
// complete with IBV_WC_REM_ACCESS_ERR; the grant's queue pairs are disconnected too); on
// libfabric the provider enforces it the same way (one MR key per grant, closed on revoke),
// except that a write whose placement the provider had already begun (a large write arriving
// over tcp in pieces) may finish placing.
//
// Fabric and verbs regions learn of remote writes from completion events: a region thread
// sleeping on the provider's or NIC's wait descriptor turns them into doorbell rings, and a
// poller that watches the region calls progress() while it spins, which is faster. A
// zero-length write checks bounds only on those backends (it reaches no remote side).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/coded_error.h"

namespace castellan {
namespace rma {

enum class Backend : uint8_t { kShm = 1, kVerbs = 2, kFabric = 3 };

const char* backend_name(Backend b);
/** Parses "shm" | "verbs" | "fabric"; throws RmaError(ERR_CASTELLAN_RMA_BACKEND). */
Backend backend_from_name(const std::string& name);
/** Whether this build (and, for fabric/verbs, this machine) can run the backend. */
bool backend_available(Backend b, std::string* why_not = nullptr);

/** Every failure carries a stable code (ERR_CASTELLAN_RMA_*), mapped to a JS error code. */
class RmaError : public CodedError {
 public:
  using CodedError::CodedError;
};

struct RegionOptions {
  Backend backend = Backend::kShm;
  size_t bytes = 0;
  /** libfabric provider, e.g. "tcp;ofi_rxm" or "shm" (fabric backend only). */
  std::string provider = "tcp;ofi_rxm";
  /** Address peers reach this region on (verbs/fabric), e.g. "127.0.0.1". */
  std::string address = "127.0.0.1";
};

struct Grant {
  uint32_t id;
  /** Serialised remote handle: opaque bytes, carried to the writer over the control plane. */
  std::vector<uint8_t> handle;
};

class Region {
 public:
  virtual ~Region() = default;
  virtual Backend backend() const = 0;
  virtual uint8_t* base() = 0;
  virtual size_t size() const = 0;
  /** A fresh write permission for one writer. */
  virtual Grant grant() = 0;
  /** Withdraws a grant; on return no write under it can land any more. Idempotent. */
  virtual void revoke(uint32_t grant_id) = 0;
  /** The doorbell: advances (release) after every completed remote write. */
  virtual uint32_t doorbell() const = 0;
  /** Address of the doorbell word; a 32-bit futex word when futex_wakeable(). */
  virtual const uint32_t* doorbell_word() const = 0;
  /** True when writers wake sleeping pollers with FUTEX_WAKE (shm); otherwise pollers back off. */
  virtual bool futex_wakeable() const = 0;
  /** Count of pollers sleeping on the doorbell (shm), so writers only pay a wake when needed. */
  virtual void add_sleeper(int delta) = 0;
  /** Drives provider progress for backends whose target side needs it (fabric, verbs); cheap when idle. */
  virtual void progress() {}
  /** Marks the region closed for writers and releases its name; memory stays valid until destruction. */
  virtual void close() = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;
  /** Size of the remote region's data area in bytes. */
  virtual size_t size() const = 0;
  /** One-sided write; completes (and rings the doorbell) before returning; ordered. */
  virtual void write(uint64_t offset, const void* src, size_t len) = 0;
  virtual void read(uint64_t offset, void* dst, size_t len) = 0;
  virtual bool peer_alive() = 0;
  virtual void close() = 0;
};

std::unique_ptr<Region> create_region(const RegionOptions& options);
std::unique_ptr<Connection> connect(const uint8_t* handle, size_t len);
inline std::unique_ptr<Connection> connect(const std::vector<uint8_t>& handle) {
  return connect(handle.data(), handle.size());
}

/** Unlinks shm segments whose owner process is gone; returns how many. */
int sweep_stale_segments();

struct PollerOptions {
  /** Busy-poll this long before sleeping; the default covers a local round trip with room. */
  uint32_t spin_us = 50;
};

/**
 * Watches local regions. wait() spins on the doorbells for spin_us, then sleeps: one
 * futex_waitv over every shm doorbell (woken by the writer's FUTEX_WAKE), or a bounded
 * backoff sleep when a watched backend cannot wake it. Not thread-safe: one thread waits.
 */
class Poller {
 public:
  explicit Poller(PollerOptions options = {});
  /** Returns the watch slot reported by wait(). The region must outlive the watch. */
  int watch(Region* region);
  void unwatch(int slot);
  /**
   * Fills `ready` with the slots whose doorbell moved since the last wait that reported
   * them; returns ready.size() (0 on timeout). timeout_us < 0 waits forever.
   */
  size_t wait(int64_t timeout_us, std::vector<int>& ready);
  /** Number of waits that ended in a kernel sleep (for tests and the bench). */
  uint64_t sleeps() const { return sleeps_; }

 private:
  struct Watch {
    Region* region;
    uint32_t seen;
  };
  bool scan(std::vector<int>& ready);
  bool sleep_once(int64_t deadline_ns);
  PollerOptions options_;
  std::vector<Watch> watches_;  // region == nullptr marks a free slot
  uint64_t sleeps_ = 0;
  int64_t backoff_ns_ = 0;  // current sleep of a non-wakeable poll; reset on activity
};

}  // namespace rma
}  // namespace castellan
