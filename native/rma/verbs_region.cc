// Owner side of the verbs backend. Each grant is its own MR over the region (remote write and
// read) with a random token; revoke deregisters the MR, so the NIC refuses its rkey (a late
// write completes at the writer with IBV_WC_REM_ACCESS_ERR), and disconnects the grant's
// queue pairs, so nothing of that writer lands after revoke() returns (spec/ramcast.md §6).
//
// The doorbell: a writer ends each write with IBV_WR_RDMA_WRITE_WITH_IMM, which consumes a
// receive posted here and yields a completion on the region's CQ; draining the CQ rings the
// doorbell and re-posts the receive. One thread sleeps in poll() on the rdma_cm channel (new
// writers, disconnects), the CQ's completion channel (doorbells while nobody polls) and an
// eventfd (shutdown); a poller watching the region drains the CQ itself while it spins.
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "rma/backends.h"
#include "rma/doorbell.h"
#include "rma/verbs_backend.h"

namespace castellan {
namespace rma {
namespace {

constexpr int kListenBacklog = 64;
constexpr uint32_t kRecvDepth = 16;     // receives posted per queue pair (a writer has one write in flight)
constexpr size_t kWritersMax = 2 * kVerbsGrantsMax;  // queue pairs at once (a writer may be reconnecting)
constexpr int kCqDepth = kWritersMax * kRecvDepth;   // every posted receive can complete before a drain
constexpr int kCompletionBatch = 64;
constexpr int kIdleWaitMs = 1000;       // the thread's poll() timeout (it is woken by its fds)

class VerbsRegion final : public CompletionDrivenRegion {
 public:
  explicit VerbsRegion(const RegionOptions& o)
      : CompletionDrivenRegion(o.bytes), address_(verbs_listen_address(o.address)) {
    try {
      open();
    } catch (...) {
      teardown();
      throw;
    }
    thread_ = std::thread([this] { run(); });
  }

  ~VerbsRegion() override {
    close();
    stopping_.store(true, std::memory_order_release);
    uint64_t one = 1;
    ssize_t woke = ::write(stop_fd_, &one, sizeof one);  // if it failed, the thread stops within kIdleWaitMs
    (void)woke;
    thread_.join();
    teardown();
  }

  Backend backend() const override { return Backend::kVerbs; }

  Grant grant() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw RmaError("ERR_CASTELLAN_RMA_CLOSED", "region is closed");
    uint32_t slot = 0;
    while (slot < kVerbsGrantsMax && slots_[slot].mr) ++slot;
    if (slot == kVerbsGrantsMax)
      throw RmaError("ERR_CASTELLAN_RMA_GRANTS", "region has " + std::to_string(kVerbsGrantsMax) + " live grants already");
    ibv_mr* mr = ibv_reg_mr(pd_, memory_.data(), memory_.size(),
                            IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
    if (!mr) verbs_fail("ibv_reg_mr");
    uint64_t token = 0;
    while (token == 0) token = rng_();
    slots_[slot] = {mr, token, next_grant_id_++};
    VerbsRemote remote;
    remote.address = address_;
    remote.port = port_;
    remote.data_bytes = memory_.size();
    remote.data_addr = reinterpret_cast<uint64_t>(memory_.data());
    remote.rkey = mr->rkey;
    remote.slot = slot;
    remote.token = token;
    return Grant{slots_[slot].id, remote.encode()};
  }

  void revoke(uint32_t grant_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (uint32_t slot = 0; slot < kVerbsGrantsMax; ++slot)
      if (slots_[slot].mr && slots_[slot].id == grant_id) fence(slot);
  }

  void close() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    for (uint32_t slot = 0; slot < kVerbsGrantsMax; ++slot)
      if (slots_[slot].mr) fence(slot);
    bell_.ring(1);  // our own pollers notice the close
  }

 private:
  struct Slot {
    ibv_mr* mr;
    uint64_t token;
    uint32_t id;
  };
  struct Writer {
    rdma_cm_id* id;
    uint32_t slot;
  };

  void open() {
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (stop_fd_ < 0) verbs_fail("eventfd");
    channel_ = rdma_create_event_channel();
    if (!channel_) verbs_fail("rdma_create_event_channel");
    verbs_nonblocking(channel_);
    if (rdma_create_id(channel_, &listener_, nullptr, RDMA_PS_TCP) != 0) verbs_fail("rdma_create_id");
    sockaddr_storage at = verbs_sockaddr(address_, 0);
    if (rdma_bind_addr(listener_, reinterpret_cast<sockaddr*>(&at)) != 0) verbs_fail("rdma_bind_addr " + address_);
    if (!listener_->verbs)
      throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", address_ + " is not the address of an RDMA device's netdev");
    if (rdma_listen(listener_, kListenBacklog) != 0) verbs_fail("rdma_listen");
    port_ = ntohs(rdma_get_src_port(listener_));
    pd_ = ibv_alloc_pd(listener_->verbs);
    if (!pd_) verbs_fail("ibv_alloc_pd");
    completions_ = ibv_create_comp_channel(listener_->verbs);
    if (!completions_) verbs_fail("ibv_create_comp_channel");
    int flags = fcntl(completions_->fd, F_GETFL);
    if (flags < 0 || fcntl(completions_->fd, F_SETFL, flags | O_NONBLOCK) < 0) verbs_fail("fcntl(O_NONBLOCK)");
    cq_ = ibv_create_cq(listener_->verbs, kCqDepth, nullptr, completions_, 0);
    if (!cq_) verbs_fail("ibv_create_cq");
    if (ibv_req_notify_cq(cq_, 0) != 0) verbs_fail("ibv_req_notify_cq");
  }

  void teardown() {
    for (auto& w : writers_) {
      rdma_destroy_qp(w.second.id);
      rdma_destroy_id(w.second.id);
    }
    writers_.clear();
    for (auto& s : slots_)
      if (s.mr) ibv_dereg_mr(s.mr);
    if (cq_) ibv_destroy_cq(cq_);
    if (completions_) ibv_destroy_comp_channel(completions_);
    if (pd_) ibv_dealloc_pd(pd_);
    if (listener_) rdma_destroy_id(listener_);
    if (channel_) rdma_destroy_event_channel(channel_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    cq_ = nullptr;
    completions_ = nullptr;
    pd_ = nullptr;
    listener_ = nullptr;
    channel_ = nullptr;
    stop_fd_ = -1;
  }

  // Under mu_: the NIC refuses the grant's rkey from now on, and its writers' queue pairs
  // go to the error state (their DISCONNECTED events clean them up).
  void fence(uint32_t slot) {
    ibv_dereg_mr(slots_[slot].mr);
    slots_[slot] = {nullptr, 0, 0};
    for (auto& w : writers_)
      if (w.second.slot == slot) rdma_disconnect(w.second.id);
  }

  void run() {
    while (!stopping_.load(std::memory_order_acquire)) {
      pollfd fds[3] = {{channel_->fd, POLLIN, 0}, {completions_->fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      if (poll(fds, 3, kIdleWaitMs) <= 0) continue;
      if (fds[0].revents & POLLIN) cm_events();
      if (fds[1].revents & POLLIN) {
        ibv_cq* cq;
        void* context;
        if (ibv_get_cq_event(completions_, &cq, &context) == 0) {
          ibv_ack_cq_events(cq, 1);
          ibv_req_notify_cq(cq, 0);  // re-arm before draining, so nothing slips between
        }
        drain();
      }
    }
  }

  void cm_events() {
    while (rdma_cm_event* event = verbs_next_event(channel_, 0)) {
      rdma_cm_event_type type = event->event;
      rdma_cm_id* id = event->id;
      if (type == RDMA_CM_EVENT_CONNECT_REQUEST) {
        uint8_t reason = admit(id, event->param.conn);
        rdma_ack_cm_event(event);
        if (reason) {
          rdma_reject(id, &reason, sizeof reason);
          rdma_destroy_id(id);
        }
      } else {
        rdma_ack_cm_event(event);
        if (type == RDMA_CM_EVENT_DISCONNECTED) forget(id);  // acked first: destroying the id needs that
      }
    }
  }

  // Accepts a writer holding a live grant; returns the reject reason otherwise.
  uint8_t admit(rdma_cm_id* id, const rdma_conn_param& conn) {
    VerbsConnectRequest req{};
    if (!conn.private_data || conn.private_data_len < sizeof req) return kVerbsRejectMalformed;
    std::memcpy(&req, conn.private_data, sizeof req);
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return kVerbsRejectClosed;
    if (req.version != kVerbsRequestVersion || req.slot >= kVerbsGrantsMax) return kVerbsRejectMalformed;
    if (!slots_[req.slot].mr || slots_[req.slot].token != req.token) return kVerbsRejectRevoked;
    if (id->verbs != pd_->context) return kVerbsRejectMalformed;  // arrived on another device
    if (writers_.size() >= kWritersMax) return kVerbsRejectMalformed;
    ibv_qp_init_attr qa{};
    qa.send_cq = cq_;
    qa.recv_cq = cq_;
    qa.qp_type = IBV_QPT_RC;
    qa.cap.max_send_wr = 1;
    qa.cap.max_recv_wr = kRecvDepth;
    qa.cap.max_send_sge = 1;
    qa.cap.max_recv_sge = 1;
    if (rdma_create_qp(id, pd_, &qa) != 0) return kVerbsRejectMalformed;
    for (uint32_t i = 0; i < kRecvDepth; ++i) {
      if (!post_receive(id->qp)) {
        rdma_destroy_qp(id);
        return kVerbsRejectMalformed;
      }
    }
    rdma_conn_param accept{};
    accept.responder_resources = 1;  // the writer's RDMA reads
    accept.initiator_depth = 0;
    accept.rnr_retry_count = kVerbsRnrRetryCount;
    if (rdma_accept(id, &accept) != 0) {
      rdma_destroy_qp(id);
      return kVerbsRejectMalformed;
    }
    writers_[id->qp->qp_num] = {id, req.slot};
    return 0;
  }

  void forget(rdma_cm_id* id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!id->qp) return;
    auto it = writers_.find(id->qp->qp_num);
    if (it == writers_.end() || it->second.id != id) return;
    writers_.erase(it);
    rdma_destroy_qp(id);
    rdma_destroy_id(id);
  }

  static bool post_receive(ibv_qp* qp) {
    ibv_recv_wr wr{};
    ibv_recv_wr* bad = nullptr;
    wr.wr_id = qp->qp_num;
    wr.sg_list = nullptr;  // write-with-immediate places data by rkey; the receive only carries the signal
    wr.num_sge = 0;
    return ibv_post_recv(qp, &wr, &bad) == 0;
  }

  bool drain() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cq_) return false;
    ibv_wc wc[kCompletionBatch];
    uint32_t writes = 0;
    int n;
    while ((n = ibv_poll_cq(cq_, kCompletionBatch, wc)) > 0) {
      for (int i = 0; i < n; ++i) {
        if (wc[i].status != IBV_WC_SUCCESS || wc[i].opcode != IBV_WC_RECV_RDMA_WITH_IMM) continue;  // flushes
        ++writes;
        auto it = writers_.find(wc[i].qp_num);
        if (it != writers_.end()) post_receive(it->second.id->qp);
      }
    }
    if (writes) bell_.ring(writes);
    return writes != 0;
  }

  std::string address_;
  uint16_t port_ = 0;
  int stop_fd_ = -1;
  rdma_event_channel* channel_ = nullptr;
  rdma_cm_id* listener_ = nullptr;
  ibv_pd* pd_ = nullptr;
  ibv_comp_channel* completions_ = nullptr;
  ibv_cq* cq_ = nullptr;
  std::mutex mu_;  // slots, writers, the CQ and close
  Slot slots_[kVerbsGrantsMax] = {};
  std::unordered_map<uint32_t, Writer> writers_;  // qp_num → writer
  uint32_t next_grant_id_ = 1;
  std::mt19937_64 rng_{std::random_device{}()};
  bool closed_ = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<Region> create_verbs_region(const RegionOptions& options) {
  std::string why;
  if (!verbs_available(&why)) throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", "verbs: " + why);
  return std::make_unique<VerbsRegion>(options);
}

}  // namespace rma
}  // namespace castellan
