// Writer side of the fabric backend: one RDM endpoint per connection (its own ordered
// stream to the region), one operation in flight at a time. A write is fi_write pieces of
// at most the provider's message size, the last one fi_writedata so the region's progress
// sees exactly one remote completion per write (its doorbell); each piece is delivery-
// complete before the next is posted, which orders writes per connection.
//
// A failed or stalled operation is diagnosed by reading the region's control block
// (fabric_backend.h): closed, this grant revoked, or the owner unreachable.
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include <algorithm>

#include "rma/backends.h"
#include "rma/bounds.h"
#include "rma/clock.h"
#include "rma/fabric_backend.h"
#include "rma/fabric_endpoint.h"
#include "rma/peer_verdict.h"

namespace castellan {
namespace rma {
namespace {

constexpr int64_t kSpinNs = 50 * 1000;            // busy-poll the CQ this long: a local round trip with room
constexpr int64_t kSleepSliceNs = 50 * 1000;      // then sleep at most this long between looks
constexpr int64_t kStallNs = 20'000'000;          // an operation unanswered this long gets diagnosed
constexpr int64_t kOperationTimeoutNs = 5'000'000'000;  // a live grant's operation unanswered this long: peer gone
constexpr int64_t kProbeTimeoutNs = 1'000'000'000;      // a control-block read answers within this
constexpr uint64_t kWriteCompletionData = 0;      // remote CQ data: only its arrival matters

class FabricConnection final : public Connection {
 public:
  explicit FabricConnection(FabricRemote remote) : remote_(std::move(remote)) {
    open(main_);
    PeerVerdict v = diagnose(main_);
    if (v != PeerVerdict::kLive) throw refusal(v, "connect");
  }
  ~FabricConnection() override { close(); }

  Backend backend() const override { return Backend::kFabric; }
  size_t size() const override { return remote_.data_bytes; }

  void write(uint64_t offset, const void* src, size_t len) override {
    check(offset, len, "write");
    if (len == 0) return;  // nothing to place (and the shm provider never completes a 0-byte writedata)
    const auto* p = static_cast<const uint8_t*>(src);
    for (size_t done = 0; done < len;) {
      size_t n = std::min(len - done, main_.endpoint->max_message());
      bool last = done + n == len;
      uint64_t at = remote_.data_base + offset + done;
      perform("write", [&](Link& l) {
        return last ? fi_writedata(l.endpoint->ep(), p + done, n, nullptr, kWriteCompletionData, l.peer, at,
                                   remote_.grant_key, &l.context)
                    : fi_write(l.endpoint->ep(), p + done, n, nullptr, l.peer, at, remote_.grant_key, &l.context);
      });
      done += n;
    }
  }

  void read(uint64_t offset, void* dst, size_t len) override {
    check(offset, len, "read");
    auto* p = static_cast<uint8_t*>(dst);
    for (size_t done = 0; done < len;) {
      size_t n = std::min(len - done, main_.endpoint->max_message());
      uint64_t at = remote_.data_base + offset + done;
      perform("read", [&](Link& l) {
        return fi_read(l.endpoint->ep(), p + done, n, nullptr, l.peer, at, remote_.grant_key, &l.context);
      });
      done += n;
    }
  }

  /** Alive while the owner answers and has not closed the region (revoked grants included, as on shm). */
  bool peer_alive() override {
    PeerVerdict v;
    if (main_.endpoint) {
      v = diagnose(main_);
    } else if (lost_ == PeerVerdict::kRevoked) {  // fenced earlier: ask whether the owner still answers
      Link side;
      open(side);
      v = diagnose(side);
    } else {
      return false;  // closed by us, or the owner closed the region or is gone
    }
    return v == PeerVerdict::kLive || v == PeerVerdict::kRevoked;
  }

  void close() override { main_.endpoint.reset(); }

 private:
  /** An endpoint with the region's address in its vector and the context of its one operation. */
  struct Link {
    std::unique_ptr<FabricEndpoint> endpoint;
    fi_addr_t peer = FI_ADDR_UNSPEC;
    fi_context context;
  };

  void open(Link& l) {
    l.endpoint = std::make_unique<FabricEndpoint>(FabricPlace{remote_.provider, "", remote_.endpoint, remote_.addr_format});
    l.peer = l.endpoint->insert(remote_.endpoint);
  }

  void check(uint64_t offset, size_t len, const char* op) {
    if (!main_.endpoint) {
      if (lost_ != PeerVerdict::kLive) throw refusal(lost_, op);
      throw RmaError("ERR_CASTELLAN_RMA_CLOSED", "connection is closed");
    }
    check_bounds(op, offset, len, remote_.data_bytes);
  }

  // Posts the operation, retrying while the provider is out of resources, until `until`;
  // returns 0, libfabric's positive error number, or -1 when it could not be posted in time.
  template <typename Post>
  static int post(Link& l, int64_t until, Post&& post_once) {
    ssize_t rc;
    while ((rc = post_once(l)) == -FI_EAGAIN) {
      fi_cq_data_entry e;
      if (fi_cq_read(l.endpoint->cq(), &e, 1) == -FI_EAVAIL) {  // progress surfaced an endpoint error
        fi_cq_err_entry err{};
        fi_cq_readerr(l.endpoint->cq(), &err, 0);
        return err.err ? err.err : FI_EIO;
      }
      if (monotonic_ns() > until) return -1;
    }
    return rc < 0 ? static_cast<int>(-rc) : 0;
  }

  // Waits for the completion of the one posted operation until `until`: 0, libfabric's
  // positive error number, or -1 when it has not completed yet (it stays posted).
  static int await(Link& l, int64_t until) {
    fid_cq* cq = l.endpoint->cq();
    const int64_t spin_until = monotonic_ns() + kSpinNs;
    for (;;) {
      fi_cq_data_entry e;
      ssize_t n = fi_cq_read(cq, &e, 1);
      if (n == 1) return 0;
      if (n == -FI_EAVAIL) {
        fi_cq_err_entry err{};
        fi_cq_readerr(cq, &err, 0);
        return err.err ? err.err : FI_EIO;
      }
      if (n != -FI_EAGAIN) return static_cast<int>(-n);
      int64_t now = monotonic_ns();
      if (now > until) return -1;
      if (now > spin_until) l.endpoint->sleep(std::min(kSleepSliceNs, until - now));
    }
  }

  /** Posts and waits: a short operation of our own (diagnosis), never re-posted. */
  template <typename Post>
  static int run(Link& l, int64_t until, Post&& post_once) {
    int err = post(l, until, post_once);
    return err != 0 ? err : await(l, until);
  }

  template <typename Post>
  void perform(const char* op, Post&& post_once) {
    const int64_t deadline = monotonic_ns() + kOperationTimeoutNs;
    int64_t until = std::min(deadline, monotonic_ns() + kStallNs);
    int err = post(main_, until, post_once);
    bool posted = err == 0;
    if (posted) err = await(main_, until);
    for (;;) {
      if (err == 0) return;
      PeerVerdict v;
      if (err > 0) {
        // The tcp provider drops a connection that used a refused key: ask over a fresh one.
        main_.endpoint.reset();
        open(main_);
        v = diagnose(main_);
      } else {
        // Unanswered so far (the shm provider drops an operation under a refused key without
        // a reply): ask on the side while the operation stays posted, so nothing repeats or
        // reorders.
        Link side;
        open(side);
        v = diagnose(side);
      }
      if (v != PeerVerdict::kLive) {
        main_.endpoint.reset();  // cancels what is still posted: no caller buffer stays in use
        lost_ = v;
        throw refusal(v, op);
      }
      if (err > 0) throw RmaError("ERR_CASTELLAN_RMA_IO", std::string(op) + " failed: " + fi_strerror(err));
      if (monotonic_ns() > deadline) {
        main_.endpoint.reset();
        lost_ = PeerVerdict::kGone;
        throw RmaError("ERR_CASTELLAN_RMA_PEER_GONE",
                       std::string(op) + " unanswered for " + std::to_string(kOperationTimeoutNs / 1000000) + " ms");
      }
      // Slow but live: keep waiting for the same operation (posted once: a write is never
      // sent twice, which would ring the doorbell twice), or post it now if we could not yet.
      until = std::min(deadline, until + kStallNs);
      if (!posted) {
        err = post(main_, until, post_once);
        posted = err == 0;
      }
      if (posted) err = await(main_, until);
    }
  }

  // Reads the region's state and this grant's key slot over `l`.
  PeerVerdict diagnose(Link& l) {
    const int64_t until = monotonic_ns() + kProbeTimeoutNs;
    uint32_t state = 0;
    uint64_t key = 0;
    uint64_t key_at = remote_.control_base + offsetof(FabricControl, grant_keys) + sizeof(uint64_t) * remote_.grant_slot;
    auto read_word = [&](void* dst, size_t n, uint64_t at) {
      return run(l, until, [&](Link& x) {
        return fi_read(x.endpoint->ep(), dst, n, nullptr, x.peer, at, remote_.control_key, &x.context);
      });
    };
    if (read_word(&state, sizeof state, remote_.control_base) != 0 || read_word(&key, sizeof key, key_at) != 0) {
      l.endpoint.reset();
      if (&l == &main_) lost_ = PeerVerdict::kGone;
      return PeerVerdict::kGone;
    }
    if (state != kFabricOpen) return PeerVerdict::kClosed;
    return key == remote_.grant_key ? PeerVerdict::kLive : PeerVerdict::kRevoked;
  }

  FabricRemote remote_;
  Link main_;
  PeerVerdict lost_ = PeerVerdict::kLive;  // why main_ is gone, once an operation was refused
};

}  // namespace

std::unique_ptr<Connection> connect_fabric(HandleReader& handle) {
  return std::make_unique<FabricConnection>(FabricRemote::decode(handle));
}

}  // namespace rma
}  // namespace castellan
