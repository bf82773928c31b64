// A party's signature share with its proof of correctness (Shoup 2000 §3):
// x_i = x^(2Δ s_i), and a non-interactive proof that log_v v_i = log_x~ x_i^2, x~ = x^(4Δ).
#pragma once
#include "tsig/key.h"

namespace castellan::tsig {

struct PartialSignature {
  Bytes x_i;  // modulus length
  Bytes c;    // kChallengeBytes
  Bytes z;    // key.proof_response_bytes()
};

PartialSignature partial_sign(const ThresholdKey& key, const Bytes& message);

// x^(2Δ) mod n: the base every share of this message is a power of; public exponent, so
// variable time. Shared with share verification and combining.
Bn share_base(const ThresholdKey& key, const BIGNUM* x, BN_CTX* ctx);

}  // namespace castellan::tsig
