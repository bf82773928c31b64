// Writer side of the shm backend: a one-sided write is a bounds check, a permission check
// under the grant's busy count, memcpy, and a release increment of the owner's doorbell
// (the commit word), plus a FUTEX_WAKE only when a poller sleeps there. JS writers run the
// same steps on the same words without crossing into C++ (src/rma/shm-writer.ts): change
// both together.
#include <cstring>

#include "rma/bounds.h"
#include "rma/shm_backend.h"

namespace castellan {
namespace rma {
namespace {

class ShmConnection final : public Connection {
 public:
  ShmConnection(std::shared_ptr<ShmSegment> segment, uint32_t slot, uint64_t key)
      : segment_(std::move(segment)), slot_(slot), key_(key) {
    ShmGrantSlot& g = segment_->header()->grants[slot_];
    ProcessId self = self_process();
    g.writer_start.store(self.start);
    g.writer_pid.store(self.pid);
  }
  ~ShmConnection() override { close(); }

  Backend backend() const override { return Backend::kShm; }
  size_t size() const override { return segment_ ? segment_->data_bytes() : 0; }

  void write(uint64_t offset, const void* src, size_t len) override {
    ShmHeader* h = enter(offset, len, "write");
    std::memcpy(segment_->data() + offset, src, len);
    h->doorbell.fetch_add(1, std::memory_order_seq_cst);  // commit: release + orders the sleepers read
    leave(h);
    if (h->sleepers.load(std::memory_order_seq_cst) != 0) futex_wake_all(&h->doorbell);
  }

  void read(uint64_t offset, void* dst, size_t len) override {
    ShmHeader* h = enter(offset, len, "read");
    std::memcpy(dst, segment_->data() + offset, len);
    leave(h);
  }

  bool peer_alive() override {
    if (!segment_) return false;
    ShmHeader* h = segment_->header();
    if (h->state.load(std::memory_order_acquire) != kShmOpen) return false;
    if (process_alive(h->owner)) return true;
    segment_->unlink();  // the owner crashed: its name would leak in /dev/shm otherwise
    return false;
  }

  void close() override {
    if (!segment_) return;
    if (!process_alive(segment_->header()->owner)) segment_->unlink();
    segment_.reset();
  }

  bool view(ShmWriterView* out) const {
    if (!segment_) return false;
    *out = {segment_, slot_, key_};
    return true;
  }

 private:
  // Inline on the hot path; the refusals are out of line (cold).
  ShmHeader* enter(uint64_t offset, size_t len, const char* op) {
    if (__builtin_expect(!segment_, 0)) refuse("ERR_CASTELLAN_RMA_CLOSED", "connection is closed");
    check_bounds(op, offset, len, segment_->data_bytes());
    ShmHeader* h = segment_->header();
    if (__builtin_expect(h->state.load(std::memory_order_acquire) != kShmOpen, 0))
      refuse("ERR_CASTELLAN_RMA_PEER_CLOSED", "the region's owner closed it");
    ShmGrantSlot& g = h->grants[slot_];
    g.busy.fetch_add(1, std::memory_order_seq_cst);
    if (__builtin_expect(g.key.load(std::memory_order_seq_cst) != key_, 0)) {
      g.busy.fetch_sub(1, std::memory_order_release);
      refuse("ERR_CASTELLAN_RMA_REVOKED", std::string(op) + " refused: the region's owner revoked this grant");
    }
    return h;
  }
  [[noreturn]] __attribute__((cold, noinline)) static void refuse(const char* code, const std::string& message) {
    throw RmaError(code, message);
  }
  void leave(ShmHeader* h) { h->grants[slot_].busy.fetch_sub(1, std::memory_order_release); }

  std::shared_ptr<ShmSegment> segment_;
  uint32_t slot_;
  uint64_t key_;
};

}  // namespace

bool shm_writer_view(Connection& conn, ShmWriterView* out) {
  // The addon builds without RTTI; ShmConnection is the only Connection of backend shm.
  return conn.backend() == Backend::kShm && static_cast<ShmConnection&>(conn).view(out);
}

void shm_wake_pollers(ShmSegment& segment) { futex_wake_all(&segment.header()->doorbell); }

std::unique_ptr<Connection> connect_shm(HandleReader& r) {
  std::string name = r.str();
  uint64_t bytes = r.u64();
  uint32_t slot = r.u32();
  uint64_t key = r.u64();
  r.end();
  if (slot >= kShmGrantsMax) HandleReader::fail("grant slot out of range");
  auto segment = ShmSegment::open(name);
  if (segment->data_bytes() != bytes) HandleReader::fail("size does not match the segment");
  if (!process_alive(segment->header()->owner)) {
    segment->unlink();
    throw RmaError("ERR_CASTELLAN_RMA_PEER_GONE", "the owner of region " + name + " has exited");
  }
  if (segment->header()->grants[slot].key.load() != key)
    throw RmaError("ERR_CASTELLAN_RMA_REVOKED", "the grant in this handle was revoked");
  return std::make_unique<ShmConnection>(std::move(segment), slot, key);
}

}  // namespace rma
}  // namespace castellan
