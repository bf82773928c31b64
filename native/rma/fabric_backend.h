// The fabric backend's shared pieces: what a grant's handle carries and the region's
// control word that writers read remotely to learn why a write failed (closed or revoked)
// and whether the owner is still there.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "rma/handle.h"

namespace castellan {
namespace rma {

enum FabricRegionState : uint32_t { kFabricOpen = 1, kFabricClosed = 2 };
constexpr uint32_t kFabricGrantsMax = 128;  // live grants per region (one per writer)

/**
 * Remote-readable state of a fabric region (its own read-only MR, live until the region is
 * destroyed): whether it is open, and each grant slot's live MR key (0 once revoked). Writers
 * read it to tell a refused or stalled operation's cause: providers differ (tcp drops the
 * connection that used a refused key, shm drops the operation without an answer).
 */
struct alignas(64) FabricControl {
  std::atomic<uint32_t> state{kFabricOpen};
  std::atomic<uint64_t> grant_keys[kFabricGrantsMax] = {};
};

/** Everything a writer needs to reach one grant of a fabric region. */
struct FabricRemote {
  std::string provider;
  uint32_t addr_format = 0;
  std::vector<uint8_t> endpoint;  // fi_getname of the region's endpoint
  uint64_t data_bytes = 0;
  uint64_t data_base = 0;  // remote address of data offset 0 (0 unless FI_MR_VIRT_ADDR)
  uint64_t grant_key = 0;
  uint32_t grant_slot = 0;
  uint64_t control_base = 0;
  uint64_t control_key = 0;

  std::vector<uint8_t> encode() const {
    HandleWriter w(Backend::kFabric);
    w.str(provider);
    w.u32(addr_format);
    w.blob(endpoint);
    w.u64(data_bytes);
    w.u64(data_base);
    w.u64(grant_key);
    w.u32(grant_slot);
    w.u64(control_base);
    w.u64(control_key);
    return w.take();
  }
  static FabricRemote decode(HandleReader& r) {
    FabricRemote f;
    f.provider = r.str();
    f.addr_format = r.u32();
    f.endpoint = r.blob();
    f.data_bytes = r.u64();
    f.data_base = r.u64();
    f.grant_key = r.u64();
    f.grant_slot = r.u32();
    f.control_base = r.u64();
    f.control_key = r.u64();
    r.end();
    if (f.provider.empty() || f.endpoint.empty()) HandleReader::fail("fabric handle without provider or endpoint");
    if (f.data_bytes == 0) HandleReader::fail("fabric handle for an empty region");
    if (f.grant_slot >= kFabricGrantsMax) HandleReader::fail("grant slot out of range");
    return f;
  }
};

}  // namespace rma
}  // namespace castellan
