#include "rma/shm_segment.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <random>

#include "rma/rma.h"

namespace castellan {
namespace rma {

void futex_wake_all(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

namespace {

[[noreturn]] void sys_fail(const std::string& what) {
  throw RmaError("ERR_CASTELLAN_RMA_SYS", what + ": " + std::strerror(errno));
}

std::string fresh_name() {
  static std::atomic<uint32_t> counter{0};
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[96];
  std::snprintf(buf, sizeof buf, "/%s%d-%u-%08llx", kShmNamePrefix, static_cast<int>(getpid()),
                counter.fetch_add(1), static_cast<unsigned long long>(rng() & 0xffffffffull));
  return buf;
}

}  // namespace

std::shared_ptr<ShmSegment> ShmSegment::create(size_t data_bytes) {
  if (data_bytes == 0 || data_bytes > kShmRegionBytesMax)
    throw RmaError("ERR_CASTELLAN_RMA_ARG", "region size must be 1.." + std::to_string(kShmRegionBytesMax) + " bytes");
  std::string name = fresh_name();
  int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) sys_fail("shm_open " + name);
  size_t total = kShmHeaderBytes + data_bytes;
  if (ftruncate(fd, static_cast<off_t>(total)) != 0) {
    int e = errno;
    ::close(fd);
    shm_unlink(name.c_str());
    errno = e;
    sys_fail("ftruncate " + name);
  }
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) {
    int e = errno;
    shm_unlink(name.c_str());
    errno = e;
    sys_fail("mmap " + name);
  }
  auto* h = new (p) ShmHeader();  // the file is zero-filled: value-initialise in place
  h->version = kShmVersion;
  h->header_bytes = kShmHeaderBytes;
  h->data_bytes = data_bytes;
  h->owner = self_process();
  h->state.store(kShmOpen, std::memory_order_relaxed);
  h->magic.store(kShmMagic, std::memory_order_release);
  return std::shared_ptr<ShmSegment>(new ShmSegment(name, h, total));
}

std::shared_ptr<ShmSegment> ShmSegment::open(const std::string& name) {
  if (name.empty() || name[0] != '/' || name.find('/', 1) != std::string::npos)
    throw RmaError("ERR_CASTELLAN_RMA_HANDLE", "bad shm segment name: " + name);
  int fd = shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) {
    if (errno == ENOENT) throw RmaError("ERR_CASTELLAN_RMA_PEER_GONE", "region " + name + " no longer exists");
    sys_fail("shm_open " + name);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    sys_fail("fstat " + name);
  }
  size_t total = static_cast<size_t>(st.st_size);
  if (total < kShmHeaderBytes) {
    ::close(fd);
    throw RmaError("ERR_CASTELLAN_RMA_HANDLE", "segment " + name + " is not a castellan region");
  }
  void* p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) sys_fail("mmap " + name);
  auto* h = static_cast<ShmHeader*>(p);
  if (h->magic.load(std::memory_order_acquire) != kShmMagic || h->version != kShmVersion ||
      h->data_bytes + kShmHeaderBytes != total) {
    munmap(p, total);
    throw RmaError("ERR_CASTELLAN_RMA_HANDLE", "segment " + name + " is not a castellan region of this version");
  }
  return std::shared_ptr<ShmSegment>(new ShmSegment(name, h, total));
}

void ShmSegment::unlink() {
  if (unlinked_) return;
  unlinked_ = true;
  shm_unlink(name_.c_str());
}

size_t ShmSegment::alias_bytes() const {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (mapped_ + page - 1) / page * page;
}

bool ShmSegment::alias_into(void* at, size_t room) const {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t bytes = alias_bytes();
  if (reinterpret_cast<uintptr_t>(at) % page != 0 || room < bytes) return false;
  // old_size 0 on a MAP_SHARED mapping: a second mapping of the same pages (mremap(2)),
  // moved over the caller's range in one step, so it never points at anything else.
  void* p = mremap(header_, 0, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, at);
  return p == at;
}

void ShmSegment::drop_alias(void* at, size_t bytes) {
  mmap(at, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

ShmSegment::~ShmSegment() { munmap(header_, mapped_); }

}  // namespace rma
}  // namespace castellan
