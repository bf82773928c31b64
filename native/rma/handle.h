// Remote handles: the bytes a region owner gives a writer over the control plane (TCP for
// RamCast's runtime, a pipe in tests). Little-endian, bounded, versioned; a malformed
// handle is rejected with ERR_CASTELLAN_RMA_HANDLE before anything is opened.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "rma/rma.h"

namespace castellan {
namespace rma {

constexpr uint32_t kHandleMagic = 0x31485243u;  // "CRH1"
constexpr size_t kHandleStringMax = 1024;         // bytes; names and addresses only

class HandleWriter {
 public:
  explicit HandleWriter(Backend b) {
    u32(kHandleMagic);
    u8(static_cast<uint8_t>(b));
  }
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void blob(const std::vector<uint8_t>& b) {
    u32(static_cast<uint32_t>(b.size()));
    raw(b.data(), b.size());
  }
  std::vector<uint8_t> take() { return std::move(bytes_); }

 private:
  void raw(const void* p, size_t n) {
    auto* c = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), c, c + n);
  }
  std::vector<uint8_t> bytes_;
};

class HandleReader {
 public:
  HandleReader(const uint8_t* p, size_t n) : p_(p), n_(n) {
    if (u32() != kHandleMagic) fail("bad magic");
    backend_ = static_cast<Backend>(u8());
  }
  Backend backend() const { return backend_; }
  uint8_t u8() { return take<uint8_t>(); }
  uint32_t u32() { return take<uint32_t>(); }
  uint64_t u64() { return take<uint64_t>(); }
  std::string str() {
    uint32_t len = u32();
    if (len > kHandleStringMax || len > n_ - at_) fail("string length out of range");
    std::string s(reinterpret_cast<const char*>(p_ + at_), len);
    at_ += len;
    return s;
  }
  std::vector<uint8_t> blob() {
    uint32_t len = u32();
    if (len > kHandleStringMax || len > n_ - at_) fail("blob length out of range");
    std::vector<uint8_t> b(p_ + at_, p_ + at_ + len);
    at_ += len;
    return b;
  }
  void end() {
    if (at_ != n_) fail("trailing bytes");
  }
  [[noreturn]] static void fail(const char* why) {
    throw RmaError("ERR_CASTELLAN_RMA_HANDLE", std::string("malformed remote handle: ") + why);
  }

 private:
  template <typename T>
  T take() {
    if (sizeof(T) > n_ - at_) fail("truncated");
    T v;
    std::memcpy(&v, p_ + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  const uint8_t* p_;
  size_t n_;
  size_t at_ = 0;
  Backend backend_;
};

}  // namespace rma
}  // namespace castellan
