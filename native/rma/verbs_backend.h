// The verbs backend's shared pieces (libibverbs RC queue pairs, connected by librdmacm).
//
// Connection setup: an RC queue pair needs a two-way exchange (QP numbers, GIDs, PSNs), and
// a handle is one-way bytes. The region therefore owns an rdma_cm listener: the handle names
// its IP address and port, the writer connects with rdma_cm and puts its grant (slot and
// token) in the connect request's private data, and the region accepts only a live grant.
// rdma_cm rather than a hand-rolled TCP exchange because it resolves the route and the GID
// (RoCE v2 / soft-RoCE need the right GID index) the same way on every fabric, and its
// DISCONNECTED event is the owner-crash signal: the kernel tears a dead process's connections
// down. A refused connect says why in the reject's private data (revoked or closed), which
// is also how a writer diagnoses a failed write: it reconnects and reads the verdict.
#pragma once
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include <cstdint>
#include <string>

#include "rma/handle.h"
#include "rma/peer_verdict.h"

namespace castellan {
namespace rma {

constexpr uint32_t kVerbsGrantsMax = 128;  // live grants per region (one per writer)
constexpr int kVerbsResolveTimeoutMs = 2000;  // rdma_resolve_addr / rdma_resolve_route
constexpr int64_t kVerbsConnectTimeoutNs = 5'000'000'000;  // whole connect handshake
// RC transport retries (3 bits each; 7 = retry receiver-not-ready forever, which only
// happens while the region re-posts receives for write-with-immediate doorbells).
constexpr uint8_t kVerbsRetryCount = 7;
constexpr uint8_t kVerbsRnrRetryCount = 7;

/** Connect request private data: which grant the writer holds. */
struct VerbsConnectRequest {
  uint32_t version;
  uint32_t slot;
  uint64_t token;
};
constexpr uint32_t kVerbsRequestVersion = 1;

/** Reject private data: why. */
enum VerbsRejectReason : uint8_t { kVerbsRejectRevoked = 1, kVerbsRejectClosed = 2, kVerbsRejectMalformed = 3 };

/** Everything a writer needs to reach one grant of a verbs region. */
struct VerbsRemote {
  std::string address;  // the region's IP (on the RDMA device's netdev)
  uint32_t port = 0;
  uint64_t data_bytes = 0;
  uint64_t data_addr = 0;  // remote virtual address of data offset 0
  uint32_t rkey = 0;       // the grant's own MR
  uint32_t slot = 0;
  uint64_t token = 0;

  std::vector<uint8_t> encode() const {
    HandleWriter w(Backend::kVerbs);
    w.str(address);
    w.u32(port);
    w.u64(data_bytes);
    w.u64(data_addr);
    w.u32(rkey);
    w.u32(slot);
    w.u64(token);
    return w.take();
  }
  static VerbsRemote decode(HandleReader& r) {
    VerbsRemote v;
    v.address = r.str();
    v.port = r.u32();
    v.data_bytes = r.u64();
    v.data_addr = r.u64();
    v.rkey = r.u32();
    v.slot = r.u32();
    v.token = r.u64();
    r.end();
    if (v.address.empty() || v.port == 0 || v.port > 65535) HandleReader::fail("verbs handle without address or port");
    if (v.data_bytes == 0) HandleReader::fail("verbs handle for an empty region");
    if (v.slot >= kVerbsGrantsMax) HandleReader::fail("grant slot out of range");
    return v;
  }
};

/** Throws ERR_CASTELLAN_RMA_VERBS naming the call and errno. */
[[noreturn]] void verbs_fail(const std::string& what);
/** Parses an IPv4/IPv6 literal with a port; throws ERR_CASTELLAN_RMA_HANDLE when malformed. */
sockaddr_storage verbs_sockaddr(const std::string& address, uint16_t port);
/** The address a region listens on: `configured`, unless it is loopback (RDMA devices have
 *  no loopback netdev), then the IPv4 address of the first active RoCE port's GID table. */
std::string verbs_listen_address(const std::string& configured);
/** Waits up to timeout_ns for the next event on `channel` (its fd is non-blocking); nullptr on timeout. */
rdma_cm_event* verbs_next_event(rdma_event_channel* channel, int64_t timeout_ns);
/** Puts an event channel's descriptor in non-blocking mode. */
void verbs_nonblocking(rdma_event_channel* channel);

}  // namespace rma
}  // namespace castellan
