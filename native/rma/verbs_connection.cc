// Writer side of the verbs backend: one RC queue pair per connection, set up with rdma_cm
// (verbs_backend.h). A write is IBV_WR_RDMA_WRITE pieces, the last one WRITE_WITH_IMM (the
// region's doorbell); each piece is signaled and completed before the next is posted, so
// writes are ordered per connection and write() returns once the responder has acknowledged
// them. Small pieces go inline; larger ones are copied through a registered bounce buffer
// (sources are arbitrary caller memory that the NIC cannot read without an lkey).
//
// A failed operation leaves an RC queue pair in the error state: the writer reconnects,
// and the region's answer to that connect (accept, or reject with a reason) is the verdict.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "rma/backends.h"
#include "rma/bounds.h"
#include "rma/clock.h"
#include "rma/verbs_backend.h"

namespace castellan {
namespace rma {
namespace {

constexpr size_t kBounceBytes = 1 << 20;         // copy-through buffer: the largest piece of a write
constexpr uint32_t kInlineBytes = 256;           // asked-for inline size (the device may grant less)
constexpr int64_t kSpinNs = 50 * 1000;           // busy-poll the CQ this long: a local round trip with room
constexpr int64_t kSleepSliceNs = 20 * 1000;     // then sleep this long between looks
constexpr int64_t kOperationTimeoutNs = 5'000'000'000;  // beyond RC's own retries: the peer is gone

struct Wiring {
  rdma_event_channel* channel = nullptr;
  rdma_cm_id* id = nullptr;
  ibv_pd* pd = nullptr;
  ibv_cq* cq = nullptr;
  ibv_mr* bounce_mr = nullptr;
  uint32_t max_inline = 0;
  bool disconnected = false;

  ~Wiring() {
    if (id && id->qp) rdma_destroy_qp(id);
    if (bounce_mr) ibv_dereg_mr(bounce_mr);
    if (cq) ibv_destroy_cq(cq);
    if (pd) ibv_dealloc_pd(pd);
    if (id) rdma_destroy_id(id);
    if (channel) rdma_destroy_event_channel(channel);
  }
};

class VerbsConnection final : public Connection {
 public:
  explicit VerbsConnection(VerbsRemote remote)
      : remote_(std::move(remote)), bounce_(new uint8_t[kBounceBytes]) {
    PeerVerdict v = connect_wiring();
    if (v != PeerVerdict::kLive) throw refusal(v, "connect");
  }
  ~VerbsConnection() override { close(); }

  Backend backend() const override { return Backend::kVerbs; }
  size_t size() const override { return remote_.data_bytes; }

  void write(uint64_t offset, const void* src, size_t len) override {
    check(offset, len, "write");
    const auto* p = static_cast<const uint8_t*>(src);
    for (size_t done = 0; done < len;) {
      size_t n = std::min(len - done, kBounceBytes);
      bool last = done + n == len;
      ibv_sge sge{};
      ibv_send_wr wr{};
      wr.opcode = last ? IBV_WR_RDMA_WRITE_WITH_IMM : IBV_WR_RDMA_WRITE;
      wr.send_flags = IBV_SEND_SIGNALED;
      if (n <= wiring_->max_inline) {
        wr.send_flags |= IBV_SEND_INLINE;  // the device copies the source at post time
        sge.addr = reinterpret_cast<uint64_t>(p + done);
      } else {
        std::memcpy(bounce_.get(), p + done, n);
        sge.addr = reinterpret_cast<uint64_t>(bounce_.get());
        sge.lkey = wiring_->bounce_mr->lkey;
      }
      sge.length = static_cast<uint32_t>(n);
      wr.imm_data = 0;  // only its arrival matters
      perform("write", wr, sge, offset + done);
      done += n;
    }
  }

  void read(uint64_t offset, void* dst, size_t len) override {
    check(offset, len, "read");
    auto* p = static_cast<uint8_t*>(dst);
    for (size_t done = 0; done < len;) {
      size_t n = std::min(len - done, kBounceBytes);
      ibv_sge sge{reinterpret_cast<uint64_t>(bounce_.get()), static_cast<uint32_t>(n), wiring_->bounce_mr->lkey};
      ibv_send_wr wr{};
      wr.opcode = IBV_WR_RDMA_READ;
      wr.send_flags = IBV_SEND_SIGNALED;
      perform("read", wr, sge, offset + done);
      std::memcpy(p + done, bounce_.get(), n);
      done += n;
    }
  }

  /**
   * False once rdma_cm reported the connection gone (the kernel disconnects a crashed
   * process's queue pairs) and a reconnect does not find the region open.
   */
  bool peer_alive() override {
    if (wiring_) {
      events();
      if (!wiring_->disconnected) return true;
    } else if (lost_ != PeerVerdict::kRevoked) {
      return false;  // closed by us, or the owner closed the region or is gone
    }
    // Disconnected, or fenced earlier: the owner is alive if it still answers a connect
    // (revoked writers included, as on shm).
    PeerVerdict v = connect_wiring();
    return v == PeerVerdict::kLive || v == PeerVerdict::kRevoked;
  }

  void close() override { wiring_.reset(); }

 private:
  void check(uint64_t offset, size_t len, const char* op) {
    if (!wiring_) {
      if (lost_ != PeerVerdict::kLive) throw refusal(lost_, op);
      throw RmaError("ERR_CASTELLAN_RMA_CLOSED", "connection is closed");
    }
    check_bounds(op, offset, len, remote_.data_bytes);
  }

  // Drains rdma_cm events without blocking; notes a disconnect.
  void events() {
    while (rdma_cm_event* e = verbs_next_event(wiring_->channel, 0)) {
      if (e->event == RDMA_CM_EVENT_DISCONNECTED || e->event == RDMA_CM_EVENT_DEVICE_REMOVAL) wiring_->disconnected = true;
      rdma_ack_cm_event(e);
    }
  }

  // Posts one signaled work request and waits for its completion; on failure reconnects to
  // learn why and throws.
  void perform(const char* op, ibv_send_wr& wr, ibv_sge& sge, uint64_t remote_offset) {
    wr.sg_list = &sge;
    wr.num_sge = 1;
    wr.wr.rdma.remote_addr = remote_.data_addr + remote_offset;
    wr.wr.rdma.rkey = remote_.rkey;
    ibv_send_wr* bad = nullptr;
    ibv_wc wc{};
    bool answered = false;
    if (ibv_post_send(wiring_->id->qp, &wr, &bad) == 0) {
      const int64_t start = monotonic_ns();
      for (;;) {
        int n = ibv_poll_cq(wiring_->cq, 1, &wc);
        if (n == 1) {
          answered = true;
          break;
        }
        int64_t now = monotonic_ns();
        if (n < 0 || now - start > kOperationTimeoutNs) break;
        if (now - start > kSpinNs) {
          timespec ts{0, kSleepSliceNs};
          nanosleep(&ts, nullptr);
        }
      }
    }
    if (answered && wc.status == IBV_WC_SUCCESS) return;
    std::string why = answered ? ibv_wc_status_str(wc.status) : "no completion";
    // The queue pair is in the error state (or stuck): destroying it flushes the request,
    // so no caller buffer stays in use; a fresh connect tells why.
    PeerVerdict v = connect_wiring();
    if (v == PeerVerdict::kLive)
      throw RmaError("ERR_CASTELLAN_RMA_IO", std::string(op) + " failed: " + why);
    throw refusal(v, std::string(op) + " (" + why + ")");
  }

  // (Re)connects to the region with this grant; kLive with a ready queue pair, otherwise
  // the region's reason (or kGone when it cannot be reached) and no wiring.
  PeerVerdict connect_wiring() {
    wiring_.reset();
    auto w = std::make_unique<Wiring>();
    w->channel = rdma_create_event_channel();
    if (!w->channel) verbs_fail("rdma_create_event_channel");
    verbs_nonblocking(w->channel);
    if (rdma_create_id(w->channel, &w->id, nullptr, RDMA_PS_TCP) != 0) verbs_fail("rdma_create_id");
    sockaddr_storage dst = verbs_sockaddr(remote_.address, static_cast<uint16_t>(remote_.port));
    const int64_t deadline = monotonic_ns() + kVerbsConnectTimeoutNs;
    if (rdma_resolve_addr(w->id, nullptr, reinterpret_cast<sockaddr*>(&dst), kVerbsResolveTimeoutMs) != 0 ||
        !await(w.get(), RDMA_CM_EVENT_ADDR_RESOLVED, deadline) ||
        rdma_resolve_route(w->id, kVerbsResolveTimeoutMs) != 0 || !await(w.get(), RDMA_CM_EVENT_ROUTE_RESOLVED, deadline))
      return gone();
    w->pd = ibv_alloc_pd(w->id->verbs);
    if (!w->pd) verbs_fail("ibv_alloc_pd");
    w->cq = ibv_create_cq(w->id->verbs, 2, nullptr, nullptr, 0);
    if (!w->cq) verbs_fail("ibv_create_cq");
    w->bounce_mr = ibv_reg_mr(w->pd, bounce_.get(), kBounceBytes, IBV_ACCESS_LOCAL_WRITE);
    if (!w->bounce_mr) verbs_fail("ibv_reg_mr");
    ibv_qp_init_attr qa{};
    qa.send_cq = w->cq;
    qa.recv_cq = w->cq;
    qa.qp_type = IBV_QPT_RC;
    qa.sq_sig_all = 0;
    qa.cap.max_send_wr = 1;  // one operation in flight
    qa.cap.max_recv_wr = 1;
    qa.cap.max_send_sge = 1;
    qa.cap.max_recv_sge = 1;
    qa.cap.max_inline_data = kInlineBytes;
    if (rdma_create_qp(w->id, w->pd, &qa) != 0) {
      qa.cap.max_inline_data = 0;  // a device without inline sends
      if (rdma_create_qp(w->id, w->pd, &qa) != 0) verbs_fail("rdma_create_qp");
    }
    w->max_inline = qa.cap.max_inline_data;  // what the device granted
    VerbsConnectRequest req{kVerbsRequestVersion, remote_.slot, remote_.token};
    rdma_conn_param param{};
    param.private_data = &req;
    param.private_data_len = sizeof req;
    param.initiator_depth = 1;  // our RDMA reads
    param.responder_resources = 0;
    param.retry_count = kVerbsRetryCount;
    param.rnr_retry_count = kVerbsRnrRetryCount;
    if (rdma_connect(w->id, &param) != 0) return gone();
    for (;;) {
      rdma_cm_event* e = verbs_next_event(w->channel, deadline - monotonic_ns());
      if (!e) return gone();
      rdma_cm_event_type type = e->event;
      uint8_t reason = 0;
      if (type == RDMA_CM_EVENT_REJECTED && e->param.conn.private_data && e->param.conn.private_data_len >= 1)
        reason = *static_cast<const uint8_t*>(e->param.conn.private_data);
      rdma_ack_cm_event(e);
      if (type == RDMA_CM_EVENT_ESTABLISHED) {
        wiring_ = std::move(w);
        return lost(PeerVerdict::kLive);
      }
      if (type == RDMA_CM_EVENT_REJECTED) {
        if (reason == kVerbsRejectRevoked) return lost(PeerVerdict::kRevoked);
        if (reason == kVerbsRejectClosed) return lost(PeerVerdict::kClosed);
        return gone();  // no listener there any more (the owner exited) or not ours
      }
      if (type == RDMA_CM_EVENT_UNREACHABLE || type == RDMA_CM_EVENT_CONNECT_ERROR) return gone();
    }
  }

  PeerVerdict lost(PeerVerdict v) {
    lost_ = v;
    return v;
  }
  PeerVerdict gone() { return lost(PeerVerdict::kGone); }

  static bool await(Wiring* w, rdma_cm_event_type want, int64_t deadline) {
    rdma_cm_event* e = verbs_next_event(w->channel, deadline - monotonic_ns());
    if (!e) return false;
    bool ok = e->event == want && e->status == 0;
    rdma_ack_cm_event(e);
    return ok;
  }

  VerbsRemote remote_;
  std::unique_ptr<uint8_t[]> bounce_;
  std::unique_ptr<Wiring> wiring_;
  PeerVerdict lost_ = PeerVerdict::kLive;  // why wiring_ is gone, once a connect was refused
};

}  // namespace

std::unique_ptr<Connection> connect_verbs(HandleReader& handle) {
  VerbsRemote remote = VerbsRemote::decode(handle);
  std::string why;
  if (!verbs_available(&why)) throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", "verbs: " + why);
  return std::make_unique<VerbsConnection>(std::move(remote));
}

}  // namespace rma
}  // namespace castellan
