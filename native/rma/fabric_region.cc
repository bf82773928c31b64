// Owner side of the fabric backend: the region's memory is registered once per grant (its
// own MR key, closed on revoke: the provider then refuses that key, spec/ramcast.md §6), a
// control word is registered read-only for writers' diagnosis, and remote-write completions
// (fi_writedata's remote CQ data) advance the doorbell.
//
// Target-side progress: tcp;ofi_rxm and shm place incoming writes only while someone reads
// the region's completion queue (FI_PROGRESS_MANUAL). A writer's write() waits for delivery,
// so progress cannot depend on the owner happening to poll: a progress thread blocks in
// poll() on the completion queue's wait descriptor (asleep in the kernel while idle), and a
// poller watching the region drives progress() itself while it spins, the fast path. Every
// completion-queue read happens under one mutex and rings the doorbell before releasing it,
// so once a writer's delivery-complete write returns, doorbell() (which drains first) has
// counted it.
#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "rma/backends.h"
#include "rma/doorbell.h"
#include "rma/fabric_backend.h"
#include "rma/fabric_endpoint.h"

namespace castellan {
namespace rma {
namespace {

constexpr size_t kCompletionBatch = 64;   // completions taken per fi_cq_read
// Idle sleeps of the progress thread, doubling from min to a max. Where the provider has a
// wait descriptor (tcp) the sleep ends as soon as something arrives, so its max only bounds
// how often an idle region wakes; without one (shm) the max is the worst latency an unpolled
// region adds to a writer's write, traded against idle wake-ups (~1000/s at 1 ms).
constexpr int64_t kIdleSleepMinNs = 10 * 1000;
constexpr int64_t kIdleSleepMaxWakeableNs = 100 * 1000 * 1000;
constexpr int64_t kIdleSleepMaxNs = 1000 * 1000;

class FabricRegion final : public CompletionDrivenRegion {
 public:
  explicit FabricRegion(const RegionOptions& o)
      : CompletionDrivenRegion(o.bytes),
        provider_(o.provider),
        endpoint_(std::make_unique<FabricEndpoint>(FabricPlace{o.provider, o.address, {}, 0})) {
    control_mr_ = endpoint_->register_memory(&control_, sizeof control_, FI_REMOTE_READ);
    try {
      name_ = endpoint_->name();
    } catch (...) {
      fi_close(&control_mr_->fid);
      throw;
    }
    progress_thread_ = std::thread([this] {
      const int64_t max_ns = endpoint_->wakes_on_completion() ? kIdleSleepMaxWakeableNs : kIdleSleepMaxNs;
      int64_t idle_ns = 0;
      while (!stopping_.load(std::memory_order_acquire)) {
        idle_ns = drain() ? 0 : std::clamp(idle_ns * 2, kIdleSleepMinNs, max_ns);
        endpoint_->sleep(idle_ns);
      }
    });
  }

  ~FabricRegion() override {
    close();
    stopping_.store(true, std::memory_order_release);
    endpoint_->wake();  // ends the thread's sleep now (where it cannot, the sleep is at most kIdleSleepMaxNs)
    progress_thread_.join();
    fi_close(&control_mr_->fid);
  }

  Backend backend() const override { return Backend::kFabric; }

  Grant grant() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) throw RmaError("ERR_CASTELLAN_RMA_CLOSED", "region is closed");
    uint32_t slot = 0;
    while (slot < kFabricGrantsMax && slot_in_use_[slot]) ++slot;
    if (slot == kFabricGrantsMax)
      throw RmaError("ERR_CASTELLAN_RMA_GRANTS", "region has " + std::to_string(kFabricGrantsMax) + " live grants already");
    fid_mr* mr = endpoint_->register_memory(memory_.data(), memory_.size(), FI_REMOTE_READ | FI_REMOTE_WRITE);
    control_.grant_keys[slot].store(fi_mr_key(mr), std::memory_order_release);
    slot_in_use_[slot] = true;
    uint32_t id = next_grant_id_++;
    grants_[id] = {mr, slot};
    FabricRemote remote;
    remote.provider = provider_;
    remote.addr_format = endpoint_->addr_format();
    remote.endpoint = name_;
    remote.data_bytes = memory_.size();
    remote.data_base = remote_address(memory_.data());
    remote.grant_key = fi_mr_key(mr);
    remote.grant_slot = slot;
    remote.control_base = remote_address(&control_);
    remote.control_key = fi_mr_key(control_mr_);
    return Grant{id, remote.encode()};
  }

  // Closing the MR makes the provider refuse its key: later writes under it complete with
  // an error at the writer. A write whose placement the provider had already begun when
  // the MR closed (a large write arriving in pieces over tcp) may still finish placing.
  void revoke(uint32_t grant_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = grants_.find(grant_id);
    if (it == grants_.end()) return;
    control_.grant_keys[it->second.slot].store(0, std::memory_order_release);
    fi_close(&it->second.mr->fid);
    slot_in_use_[it->second.slot] = false;
    grants_.erase(it);
  }

  void close() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    control_.state.store(kFabricClosed, std::memory_order_release);
    for (auto& g : grants_) {
      control_.grant_keys[g.second.slot].store(0, std::memory_order_release);
      fi_close(&g.second.mr->fid);
    }
    grants_.clear();
    bell_.ring(1);  // our own pollers notice the close
  }

 private:
  uint64_t remote_address(const void* p) const {
    return (endpoint_->mr_mode() & FI_MR_VIRT_ADDR) ? reinterpret_cast<uint64_t>(p) : 0;
  }

  // Drives progress and rings the doorbell once per remote write (a writer marks the last
  // piece of each write with remote CQ data).
  bool drain() override {
    std::lock_guard<std::mutex> lock(drain_mu_);
    fi_cq_data_entry entries[kCompletionBatch];
    ssize_t n = fi_cq_read(endpoint_->cq(), entries, kCompletionBatch);
    if (n == -FI_EAVAIL) {  // a failed remote operation: the writer sees the error, we drop it
      fi_cq_err_entry err{};
      fi_cq_readerr(endpoint_->cq(), &err, 0);
      return true;
    }
    uint32_t writes = 0;
    for (ssize_t i = 0; i < n; ++i)
      if (entries[i].flags & FI_REMOTE_CQ_DATA) ++writes;
    if (writes) bell_.ring(writes);
    return n > 0;
  }

  std::string provider_;
  FabricControl control_;
  std::unique_ptr<FabricEndpoint> endpoint_;
  fid_mr* control_mr_ = nullptr;
  std::vector<uint8_t> name_;
  std::mutex mu_;        // grants and close (the progress thread touches neither)
  std::mutex drain_mu_;  // completion-queue reads together with their doorbell ring
  struct LiveGrant {
    fid_mr* mr;
    uint32_t slot;
  };
  std::unordered_map<uint32_t, LiveGrant> grants_;  // grant id → its MR and control slot
  bool slot_in_use_[kFabricGrantsMax] = {};
  uint32_t next_grant_id_ = 1;
  bool closed_ = false;
  std::atomic<bool> stopping_{false};
  std::thread progress_thread_;
};

}  // namespace

std::unique_ptr<Region> create_fabric_region(const RegionOptions& options) {
  return std::make_unique<FabricRegion>(options);
}

}  // namespace rma
}  // namespace castellan
