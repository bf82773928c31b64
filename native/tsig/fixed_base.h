// Fixed-base exponentiation for Shoup's verification base v (Shoup 2000 §3): v is the same for
// every partial signature and every share check of a key, so a table of
// v^(j * 2^(W*i)) turns v^r into one Montgomery multiplication per W-bit digit of r, with no
// squarings (about 4x fewer multiplications than a sliding window). r is secret (z = s_i*c + r
// would reveal s_i), so each digit's entry is picked by a masked scan of its whole row: the
// memory access pattern does not depend on r.
#pragma once
#include "tsig/bignum.h"

namespace castellan::tsig {

class FixedBaseTable {
 public:
  // Window of 4 bits: 16 entries per row; 657 KB for a 1024-bit key, 2.4 MB at 2048.
  static constexpr int kWindowBits = 4;
  static constexpr int kRowEntries = 1 << kWindowBits;

  FixedBaseTable(const BIGNUM* base, const BIGNUM* modulus, BN_MONT_CTX* mont, int max_exponent_bits);

  // r = base^exponent mod n; the exponent must be non-negative and fit max_exponent_bits.
  void exp(BIGNUM* r, const BIGNUM* exponent, BN_MONT_CTX* mont, BN_CTX* ctx) const;
  int max_exponent_bits() const { return rows_ * kWindowBits; }

 private:
  int rows_;
  size_t stride_;  // bytes per entry: the modulus length rounded up to whole 64-bit words
  Bn one_mont_;    // 1 in Montgomery form, the product's starting value
  std::vector<uint8_t> table_;  // rows_ x kRowEntries entries, little-endian Montgomery form
};

}  // namespace castellan::tsig
