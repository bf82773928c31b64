// H' of Shoup's proof of correctness (Shoup 2000 §3, "Practical Threshold Signatures"):
// c = H'(v, x~, v_i, x_i^2, v', x') truncated to L1 bits.
#pragma once
#include "tsig/bignum.h"

namespace castellan::tsig {

// L1 = 128: the challenge length; the proof randomness r has |n| + 2*L1 bits so that
// z = s_i*c + r statistically hides s_i (Shoup §3).
inline constexpr int kChallengeBits = 128;
inline constexpr size_t kChallengeBytes = kChallengeBits / 8;

// Each group element is encoded at the modulus' fixed length, behind a domain-separation tag,
// so no two different tuples hash the same input.
Bytes proof_challenge(size_t modulus_bytes, const BIGNUM* v, const BIGNUM* x_tilde, const BIGNUM* v_i,
                      const BIGNUM* x_i_squared, const BIGNUM* v_prime, const BIGNUM* x_prime);

}  // namespace castellan::tsig
