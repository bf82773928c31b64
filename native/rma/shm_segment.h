// A mapped shm segment (header + data). Shared by the owner's region, writers' connections
// and JS ArrayBuffers over the data, so memory stays mapped until the last user lets go.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "rma/shm_layout.h"

namespace castellan {
namespace rma {

class ShmSegment {
 public:
  /** Creates and maps a fresh segment named /castellan-rma-<pid>-<n>-<random>. */
  static std::shared_ptr<ShmSegment> create(size_t data_bytes);
  /** Maps an existing segment; checks magic, version and size against the file. */
  static std::shared_ptr<ShmSegment> open(const std::string& name);
  ~ShmSegment();
  ShmSegment(const ShmSegment&) = delete;
  ShmSegment& operator=(const ShmSegment&) = delete;

  ShmHeader* header() const { return header_; }
  uint8_t* data() const { return reinterpret_cast<uint8_t*>(header_) + kShmHeaderBytes; }
  size_t data_bytes() const { return header_->data_bytes; }
  const std::string& name() const { return name_; }
  /** Removes the name from /dev/shm (mapping stays valid). Idempotent. */
  void unlink();

  /** Bytes an alias of the whole segment spans: header + data, rounded up to a page. */
  size_t alias_bytes() const;
  /**
   * Maps the same pages a second time at `at` (page-aligned, `room` bytes there belong to
   * the caller and may be replaced): how a JS writer's WebAssembly gate reaches a peer's
   * segment, since wasm addresses only its own linear memory. The alias outlives this
   * object and the name (it holds the pages itself). False, with nothing changed, when `at`
   * is unaligned, `room` too small or the kernel refuses.
   */
  bool alias_into(void* at, size_t room) const;
  /** Puts fresh private zero pages back where alias_into mapped `bytes` at `at`. */
  static void drop_alias(void* at, size_t bytes);

 private:
  ShmSegment(std::string name, ShmHeader* header, size_t mapped) : name_(std::move(name)), header_(header), mapped_(mapped) {}
  std::string name_;
  ShmHeader* header_;
  size_t mapped_;
  bool unlinked_ = false;
};

}  // namespace rma
}  // namespace castellan
