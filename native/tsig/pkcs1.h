// The message representative x: the PKCS#1 v1.5 (RFC 8017 §9.2) encoding of SHA-256(message)
// as an integer, so the combined threshold signature is an ordinary RSASSA-PKCS1-v1_5
// signature that node:crypto and `openssl dgst -verify` accept.
#pragma once
#include "tsig/bignum.h"

namespace castellan::tsig {

inline constexpr size_t kSha256Bytes = 32;

Bytes sha256(const uint8_t* data, size_t len);
// EM = 0x00 01 FF..FF 00 || DigestInfo(SHA-256) || H(message), `modulus_bytes` long.
Bn message_representative(const Bytes& message, size_t modulus_bytes);

}  // namespace castellan::tsig
