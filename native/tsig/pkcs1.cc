#include "tsig/pkcs1.h"

#include <openssl/evp.h>

#include <array>

namespace castellan::tsig {
namespace {

// DER of DigestInfo { AlgorithmIdentifier sha256 NULL, OCTET STRING (32) } (RFC 8017 §9.2 note 1).
constexpr std::array<uint8_t, 19> kSha256DigestInfo = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                                       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
// RFC 8017 §9.2 step 3: at least 8 bytes of 0xFF padding.
constexpr size_t kMinPaddingBytes = 8;

}  // namespace

Bytes sha256(const uint8_t* data, size_t len) {
  Bytes out(kSha256Bytes);
  unsigned int out_len = 0;
  check(EVP_Digest(data, len, out.data(), &out_len, EVP_sha256(), nullptr), "EVP_Digest");
  return out;
}

Bn message_representative(const Bytes& message, size_t modulus_bytes) {
  const size_t t_len = kSha256DigestInfo.size() + kSha256Bytes;
  if (modulus_bytes < t_len + kMinPaddingBytes + 3)
    throw TsigError(kErrKey, "modulus too short for a PKCS#1 v1.5 SHA-256 encoding");
  Bytes em(modulus_bytes, 0xFF);
  em[0] = 0x00;
  em[1] = 0x01;
  const size_t t_start = modulus_bytes - t_len;
  em[t_start - 1] = 0x00;
  std::copy(kSha256DigestInfo.begin(), kSha256DigestInfo.end(), em.begin() + t_start);
  Bytes h = sha256(message.data(), message.size());
  std::copy(h.begin(), h.end(), em.begin() + t_start + kSha256DigestInfo.size());
  return bn_from_bytes(em);
}

}  // namespace castellan::tsig
