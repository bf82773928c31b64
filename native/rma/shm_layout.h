// Layout of a shm region segment (/dev/shm/castellan-rma-*): a header, then the data
// area peers write into. The header is the "control" part of spec/ramcast.md §3: owner
// liveness, the doorbell (commit word) and one permission word per grant (§6 fencing).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "rma/doorbell.h"
#include "rma/process_liveness.h"

namespace castellan {
namespace rma {

constexpr uint64_t kShmMagic = 0x31414d524c545343ull;  // "CSTLRMA1"
constexpr uint32_t kShmVersion = 1;
constexpr size_t kShmHeaderBytes = 8192;  // two pages: the data area stays page-aligned
constexpr uint32_t kShmGrantsMax = 112;    // live grants per region (one per writer)
constexpr const char* kShmNamePrefix = "castellan-rma-";
constexpr size_t kShmRegionBytesMax = size_t(1) << 34;  // 16 GiB: a sanity bound on requests

enum ShmState : uint32_t { kShmOpen = 1, kShmClosed = 2 };

struct alignas(64) ShmGrantSlot {
  /** The grant's key while it may write; 0 when free or revoked. */
  std::atomic<uint64_t> key;
  /** Writers of this grant currently inside a write (revoke waits this out). */
  std::atomic<uint32_t> busy;
  /** The last process that wrote under this grant (so revoke can skip a dead one). */
  std::atomic<int32_t> writer_pid;
  std::atomic<uint64_t> writer_start;
};

struct ShmHeader {
  /** Stored last on creation (release), so an opener never sees a half-written header. */
  std::atomic<uint64_t> magic;
  uint32_t version;
  uint32_t header_bytes;
  uint64_t data_bytes;
  ProcessId owner;
  std::atomic<uint32_t> state;
  /** Commit word and futex word: +1 (release) after each completed write. */
  alignas(64) std::atomic<uint32_t> doorbell;
  std::atomic<uint32_t> sleepers;
  alignas(64) ShmGrantSlot grants[kShmGrantsMax];
};
static_assert(sizeof(ShmHeader) <= kShmHeaderBytes, "shm header must fit its page");
static_assert(std::atomic<uint32_t>::is_always_lock_free && std::atomic<uint64_t>::is_always_lock_free,
              "shared-memory atomics must be lock-free");

}  // namespace rma
}  // namespace castellan
