// One libfabric RDM endpoint with its fabric, domain, address vector and completion queue:
// what both sides of the fabric backend open (the region to be written into, each writer
// to write). The provider comes from configuration ("tcp;ofi_rxm", "shm", ...).
#pragma once
#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rma/rma.h"

namespace castellan {
namespace rma {

/** libfabric API version this backend is written against (Debian 12 ships 1.17). */
constexpr uint32_t kFabricApiVersion = FI_VERSION(1, 17);

/** Where an endpoint comes from: a region listens on `source`, a writer heads for `dest`. */
struct FabricPlace {
  std::string provider;
  /** Region side: address to listen on (empty: the provider's default). */
  std::string source;
  /** Writer side: the region's raw endpoint name and its address format. */
  std::vector<uint8_t> dest;
  uint32_t dest_format = 0;
};

class FabricEndpoint {
 public:
  explicit FabricEndpoint(const FabricPlace& place);
  ~FabricEndpoint();
  FabricEndpoint(const FabricEndpoint&) = delete;
  FabricEndpoint& operator=(const FabricEndpoint&) = delete;

  fid_fabric* fabric() const { return fabric_; }
  fid_domain* domain() const { return domain_; }
  fid_ep* ep() const { return ep_; }
  fid_cq* cq() const { return cq_; }
  uint64_t mr_mode() const { return mr_mode_; }
  uint32_t addr_format() const { return addr_format_; }
  size_t max_message() const { return max_message_; }
  size_t mr_key_bytes() const { return mr_key_bytes_; }
  /**
   * Sleeps until the completion queue may have news, at most max_ns: poll() on its wait
   * descriptor after fi_trywait, or, for providers without one (shm), a plain sleep.
   */
  void sleep(int64_t max_ns);
  /** Whether sleep() ends as soon as a completion arrives (the provider has a wait descriptor). */
  bool wakes_on_completion() const { return cq_fd_ >= 0; }
  /** Ends another thread's sleep() now (where there is a wait descriptor; else it ends by itself). */
  void wake();
  /** The endpoint's own address, as peers insert it into their address vectors. */
  std::vector<uint8_t> name() const;
  /** Inserts a peer's endpoint name; returns its fi_addr_t. */
  fi_addr_t insert(const std::vector<uint8_t>& name);
  /**
   * Registers [buf, buf+len) for remote `access` under a fresh key (fi_mr_key reads it);
   * binds it to the endpoint when the provider wants that (FI_MR_ENDPOINT).
   */
  fid_mr* register_memory(void* buf, size_t len, uint64_t access);

 private:
  void close_all();
  fi_info* info_ = nullptr;
  fid_fabric* fabric_ = nullptr;
  fid_domain* domain_ = nullptr;
  fid_av* av_ = nullptr;
  fid_cq* cq_ = nullptr;
  fid_ep* ep_ = nullptr;
  int cq_fd_ = -1;
  uint64_t mr_mode_ = 0;
  uint32_t addr_format_ = 0;
  size_t max_message_ = 0;
  size_t mr_key_bytes_ = 0;
};

/** Throws ERR_CASTELLAN_RMA_FABRIC naming the call and libfabric's reason for `rc` (< 0). */
[[noreturn]] void fabric_fail(const std::string& what, int64_t rc);
/** Closes a libfabric object if open (ignores the result: used on teardown paths). */
void fabric_close(fid_t fid);

}  // namespace rma
}  // namespace castellan
