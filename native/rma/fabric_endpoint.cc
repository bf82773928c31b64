#include "rma/fabric_endpoint.h"

#include <poll.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_errno.h>
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "rma/backends.h"

namespace castellan {
namespace rma {
namespace {

// Completion queue depth: a writer has one operation in flight, a region sees one remote
// completion per write; the progress thread drains in batches, so this only bounds bursts.
constexpr size_t kCqDepth = 1024;
constexpr int kKeyAttempts = 8;  // random MR keys tried before giving up on a clash

struct InfoDeleter {
  void operator()(fi_info* i) const { fi_freeinfo(i); }
};
using InfoPtr = std::unique_ptr<fi_info, InfoDeleter>;

// What the backend needs of a provider: one-sided RMA both ways on a reliable datagram
// endpoint, delivery-complete writes (write() returns once the bytes are placed), writes
// ordered after writes and reads after writes, and a thread-safe domain (the region's
// progress thread and its poller both read the completion queue).
InfoPtr hints(const std::string& provider) {
  InfoPtr h(fi_allocinfo());
  if (!h) throw RmaError("ERR_CASTELLAN_RMA_FABRIC", "fi_allocinfo failed");
  h->caps = FI_RMA | FI_READ | FI_WRITE | FI_REMOTE_READ | FI_REMOTE_WRITE;
  h->mode = FI_CONTEXT;
  h->ep_attr->type = FI_EP_RDM;
  // Modes we can honour (the provider keeps those it needs): virtual addresses, provider
  // keys, endpoint-bound MRs. Not FI_MR_LOCAL: sources are arbitrary caller buffers.
  h->domain_attr->mr_mode = FI_MR_VIRT_ADDR | FI_MR_ALLOCATED | FI_MR_PROV_KEY | FI_MR_ENDPOINT;
  h->domain_attr->threading = FI_THREAD_SAFE;
  h->tx_attr->msg_order = FI_ORDER_RAW | FI_ORDER_WAW;
  h->tx_attr->op_flags = FI_DELIVERY_COMPLETE;
  h->fabric_attr->prov_name = strdup(provider.c_str());
  return h;
}

bool ip_addressed(uint32_t format) {
  return format == FI_SOCKADDR || format == FI_SOCKADDR_IN || format == FI_SOCKADDR_IN6;
}

InfoPtr getinfo(const FabricPlace& place) {
  InfoPtr h = hints(place.provider);
  if (!place.dest.empty()) {
    h->addr_format = place.dest_format;
    h->dest_addr = std::malloc(place.dest.size());
    if (!h->dest_addr) throw RmaError("ERR_CASTELLAN_RMA_FABRIC", "out of memory");
    std::memcpy(h->dest_addr, place.dest.data(), place.dest.size());
    h->dest_addrlen = place.dest.size();
  }
  fi_info* out = nullptr;
  int rc = fi_getinfo(kFabricApiVersion, nullptr, nullptr, 0, h.get(), &out);
  if (rc != 0) fabric_fail("fi_getinfo(provider " + place.provider + ")", rc);
  InfoPtr info(out);
  // A listening side binds to the configured address when the provider speaks IP (tcp);
  // providers with their own names (shm) pick one themselves.
  if (place.dest.empty() && !place.source.empty() && ip_addressed(info->addr_format)) {
    h->addr_format = info->addr_format;
    rc = fi_getinfo(kFabricApiVersion, place.source.c_str(), nullptr, FI_SOURCE, h.get(), &out);
    if (rc != 0) fabric_fail("fi_getinfo(provider " + place.provider + ", source " + place.source + ")", rc);
    info.reset(out);
  }
  return info;
}

}  // namespace

[[noreturn]] void fabric_fail(const std::string& what, int64_t rc) {
  throw RmaError("ERR_CASTELLAN_RMA_FABRIC", what + ": " + fi_strerror(static_cast<int>(rc < 0 ? -rc : rc)));
}

void fabric_close(fid_t fid) {
  if (fid) fi_close(fid);
}

bool fabric_available(const std::string& provider, std::string* why_not) {
  try {
    getinfo(FabricPlace{provider, "", {}, 0});
    return true;
  } catch (const RmaError& e) {
    if (why_not) *why_not = e.what();
    return false;
  }
}

FabricEndpoint::FabricEndpoint(const FabricPlace& place) {
  try {
    info_ = getinfo(place).release();
    int rc = fi_fabric(info_->fabric_attr, &fabric_, nullptr);
    if (rc) fabric_fail("fi_fabric", rc);
    rc = fi_domain(fabric_, info_, &domain_, nullptr);
    if (rc) fabric_fail("fi_domain", rc);
    fi_av_attr av_attr{};
    av_attr.type = FI_AV_UNSPEC;
    rc = fi_av_open(domain_, &av_attr, &av_, nullptr);
    if (rc) fabric_fail("fi_av_open", rc);
    fi_cq_attr cq_attr{};
    cq_attr.size = kCqDepth;
    cq_attr.format = FI_CQ_FORMAT_DATA;
    cq_attr.wait_obj = FI_WAIT_FD;  // a waiting side sleeps in the kernel
    rc = fi_cq_open(domain_, &cq_attr, &cq_, nullptr);
    if (rc == -FI_ENOSYS || rc == -FI_EINVAL) {  // no wait objects (shm): waiters sleep briefly instead
      cq_attr.wait_obj = FI_WAIT_NONE;
      rc = fi_cq_open(domain_, &cq_attr, &cq_, nullptr);
    } else if (rc == 0) {
      rc = fi_control(&cq_->fid, FI_GETWAIT, &cq_fd_);
      if (rc) fabric_fail("fi_control(FI_GETWAIT)", rc);
    }
    if (rc) fabric_fail("fi_cq_open", rc);
    rc = fi_endpoint(domain_, info_, &ep_, nullptr);
    if (rc) fabric_fail("fi_endpoint", rc);
    rc = fi_ep_bind(ep_, &av_->fid, 0);
    if (rc) fabric_fail("fi_ep_bind(av)", rc);
    rc = fi_ep_bind(ep_, &cq_->fid, FI_TRANSMIT | FI_RECV);
    if (rc) fabric_fail("fi_ep_bind(cq)", rc);
    rc = fi_enable(ep_);
    if (rc) fabric_fail("fi_enable", rc);
  } catch (...) {
    close_all();
    throw;
  }
  mr_mode_ = info_->domain_attr->mr_mode;
  addr_format_ = info_->addr_format;
  max_message_ = info_->ep_attr->max_msg_size;
  mr_key_bytes_ = info_->domain_attr->mr_key_size;
}

FabricEndpoint::~FabricEndpoint() { close_all(); }

void FabricEndpoint::close_all() {
  fabric_close(ep_ ? &ep_->fid : nullptr);
  fabric_close(cq_ ? &cq_->fid : nullptr);
  fabric_close(av_ ? &av_->fid : nullptr);
  fabric_close(domain_ ? &domain_->fid : nullptr);
  fabric_close(fabric_ ? &fabric_->fid : nullptr);
  ep_ = nullptr;
  cq_ = nullptr;
  av_ = nullptr;
  domain_ = nullptr;
  fabric_ = nullptr;
  if (info_) fi_freeinfo(info_);
  info_ = nullptr;
}

void FabricEndpoint::sleep(int64_t max_ns) {
  if (max_ns <= 0) return;
  if (cq_fd_ >= 0) {
    fid* cq = &cq_->fid;
    if (fi_trywait(fabric_, &cq, 1) != FI_SUCCESS) return;  // something to progress right now
    pollfd p{cq_fd_, POLLIN, 0};
    poll(&p, 1, static_cast<int>((max_ns + 999999) / 1000000));
  } else {
    timespec ts{time_t(max_ns / 1000000000), long(max_ns % 1000000000)};
    nanosleep(&ts, nullptr);
  }
}

void FabricEndpoint::wake() {
  if (cq_fd_ >= 0) fi_cq_signal(cq_);
}

std::vector<uint8_t> FabricEndpoint::name() const {
  size_t len = 0;
  int rc = fi_getname(&ep_->fid, nullptr, &len);
  if (rc != -FI_ETOOSMALL && rc != 0) fabric_fail("fi_getname", rc);
  std::vector<uint8_t> out(len);
  rc = fi_getname(&ep_->fid, out.data(), &len);
  if (rc) fabric_fail("fi_getname", rc);
  out.resize(len);
  return out;
}

fi_addr_t FabricEndpoint::insert(const std::vector<uint8_t>& name) {
  fi_addr_t addr = FI_ADDR_UNSPEC;
  int rc = fi_av_insert(av_, name.data(), 1, &addr, 0, nullptr);
  if (rc != 1) throw RmaError("ERR_CASTELLAN_RMA_HANDLE", "the handle's endpoint address was rejected by the provider");
  return addr;
}

fid_mr* FabricEndpoint::register_memory(void* buf, size_t len, uint64_t access) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t key_mask = mr_key_bytes_ >= 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * mr_key_bytes_)) - 1;
  fid_mr* mr = nullptr;
  int rc = -FI_ENOKEY;
  // A fresh random key per registration, so a revoked grant's key is (almost surely) never
  // live again; where the provider picks keys (FI_MR_PROV_KEY) it guarantees that itself.
  for (int attempt = 0; rc == -FI_ENOKEY && attempt < kKeyAttempts; ++attempt) {
    uint64_t requested = (mr_mode_ & FI_MR_PROV_KEY) ? 0 : (rng() & key_mask);
    rc = fi_mr_reg(domain_, buf, len, access, 0, requested, 0, &mr, nullptr);
  }
  if (rc) fabric_fail("fi_mr_reg", rc);
  if (mr_mode_ & FI_MR_ENDPOINT) {
    rc = fi_mr_bind(mr, &ep_->fid, 0);
    if (rc == 0) rc = fi_mr_enable(mr);
    if (rc) {
      fi_close(&mr->fid);
      fabric_fail("fi_mr_bind", rc);
    }
  }
  return mr;
}

}  // namespace rma
}  // namespace castellan
