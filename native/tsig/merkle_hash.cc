// binding.merkle.merkleTree: the hashing of a Merkle batch (Steward §4.6) in one native call.
// A batch of 256 costs 511 SHA-256 calls; through node:crypto each is a ~2-3 µs object
// round trip, more than the threshold signature the batch amortises. The tree layout and
// domain separation are those of src/crypto/merkle.ts (RFC 9162 §2.1), which checks
// the paths.
#include <napi.h>
#include <openssl/evp.h>

#include "common/errors.h"
#include "common/module_registry.h"
#include "tsig/bignum.h"
#include "tsig/pkcs1.h"

namespace castellan::tsig {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;
// u32 leaf count in the signed root (src/crypto/merkle.ts MERKLE_LEAVES_MAX); also bounds memory.
constexpr uint32_t kMaxLeaves = 1u << 24;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
    check(ctx_ != nullptr && md_ != nullptr, "EVP_MD_fetch");
  }
  ~Hasher() { EVP_MD_free(md_); }
  void hash(uint8_t prefix, const uint8_t* a, size_t a_len, const uint8_t* b, size_t b_len, uint8_t* out) {
    unsigned int len = 0;
    check(EVP_DigestInit_ex(ctx_.get(), md_, nullptr) && EVP_DigestUpdate(ctx_.get(), &prefix, 1) &&
              EVP_DigestUpdate(ctx_.get(), a, a_len) && (b_len == 0 || EVP_DigestUpdate(ctx_.get(), b, b_len)) &&
              EVP_DigestFinal_ex(ctx_.get(), out, &len),
          "SHA-256");
  }

 private:
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx_;
  EVP_MD* md_;
};

// merkleTree(messages: Uint8Array[]): { root, paths } — paths holds, for each leaf j at offset
// j * depth * 32, its sibling hashes from leaf to root packed from the start of its slot (a
// leaf whose ancestor is promoted at some level has fewer than depth siblings). A level of odd
// length promotes its last node unchanged.
Napi::Value MerkleTree(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) throw_error(env, "ERR_CASTELLAN_ARG", "merkleTree expects an array of Uint8Array");
  Napi::Array messages = info[0].As<Napi::Array>();
  const uint32_t n = messages.Length();
  if (n == 0 || n > kMaxLeaves) throw_error(env, "ERR_CASTELLAN_ARG", "a Merkle batch holds 1..2^24 messages");
  size_t total = 0, depth = 0;
  for (uint32_t len = n;; len = (len + 1) / 2, ++depth) {
    total += len;
    if (len == 1) break;
  }
  std::vector<uint8_t> nodes(total * kSha256Bytes);
  uint8_t* node = nodes.data();
  guard(env, [&] {
    Hasher h;
    for (uint32_t i = 0; i < n; ++i) {
      Napi::Value m = messages.Get(i);
      if (!m.IsTypedArray() || m.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
        throw_error(env, "ERR_CASTELLAN_ARG", "merkleTree expects an array of Uint8Array");
      auto bytes = m.As<Napi::Uint8Array>();
      h.hash(kLeafPrefix, bytes.Data(), bytes.ByteLength(), nullptr, 0, node + i * kSha256Bytes);
    }
    uint8_t* level = node;
    for (uint32_t len = n; len > 1; len = (len + 1) / 2) {
      uint8_t* next = level + len * kSha256Bytes;
      for (uint32_t i = 0; i + 1 < len; i += 2)
        h.hash(kNodePrefix, level + i * kSha256Bytes, kSha256Bytes, level + (i + 1) * kSha256Bytes, kSha256Bytes,
               next + (i / 2) * kSha256Bytes);
      if (len % 2 == 1) std::copy(level + (len - 1) * kSha256Bytes, level + len * kSha256Bytes, next + (len / 2) * kSha256Bytes);
      level = next;
    }
  });
  const size_t stride = depth * kSha256Bytes;
  auto paths = Napi::Uint8Array::New(env, static_cast<size_t>(n) * stride);
  for (uint32_t j = 0; j < n; ++j) {
    uint8_t* out = paths.Data() + static_cast<size_t>(j) * stride;
    size_t level_start = 0;
    uint32_t len = n;
    for (size_t shift = 0; len > 1; level_start += len, len = (len + 1) / 2, ++shift) {
      const uint32_t sibling = (j >> shift) ^ 1u;
      if (sibling >= len) continue;
      const uint8_t* from = nodes.data() + (level_start + sibling) * kSha256Bytes;
      out = std::copy(from, from + kSha256Bytes, out);
    }
  }
  Napi::Object result = Napi::Object::New(env);
  auto root = Napi::Uint8Array::New(env, kSha256Bytes);
  std::copy(nodes.end() - kSha256Bytes, nodes.end(), root.Data());
  result.Set("root", root);
  result.Set("paths", paths);
  result.Set("stride", Napi::Number::New(env, static_cast<double>(stride)));
  return result;
}

void InitMerkle(Napi::Env env, Napi::Object exports) {
  exports.Set("merkleTree", Napi::Function::New(env, MerkleTree, "merkleTree"));
}

}  // namespace
}  // namespace castellan::tsig

CASTELLAN_REGISTER_MODULE(merkle, castellan::tsig::InitMerkle);
