// One threshold RSA key as the native code holds it (Shoup 2000 §3): the public part
// (n, e, verification base v, verification keys v_i), optionally one party's share s_i, and
// what every call would otherwise recompute: the Montgomery context of n, Δ = l!, the
// exponents of the combine step and, built on first use, the fixed-base table of v.
// Immutable after construction (the table behind a once flag), so it is shared read-only by
// every concurrent job.
#pragma once
#include <mutex>

#include "tsig/bignum.h"
#include "tsig/fixed_base.h"

namespace castellan::tsig {

// 512 bits only so tests of the arithmetic can run fast; the paper's keys are 1024 bits.
inline constexpr int kMinModulusBits = 512;
inline constexpr int kMaxModulusBits = 4096;
// Δ = l! enters every combine exponent (λ has about log2(l!) bits); 64 parties keeps it
// under 300 bits. Shoup also needs the prime e > l.
inline constexpr int kMaxParties = 64;
inline constexpr unsigned long kPublicExponent = 65537;

struct PublicParams {
  int parties = 0;
  int threshold = 0;
  Bytes n, e, v;
  std::vector<Bytes> verification_keys;  // v_1..v_l
};

class ThresholdKey {
 public:
  // party 0 with an empty share: a public key (share checks and combining only).
  ThresholdKey(const PublicParams& params, int party, const Bytes& share);

  int parties() const { return parties_; }
  int threshold() const { return threshold_; }
  int modulus_bits() const { return bits_; }
  size_t modulus_bytes() const { return bytes_; }
  const BIGNUM* n() const { return n_.get(); }
  const BIGNUM* e() const { return e_.get(); }
  const BIGNUM* v() const { return v_.get(); }
  const BIGNUM* verification_key(int party) const { return vks_.at(static_cast<size_t>(party - 1)).get(); }
  const BIGNUM* delta() const { return delta_.get(); }
  const BIGNUM* two_delta() const { return two_delta_.get(); }
  const BIGNUM* four_delta() const { return four_delta_.get(); }
  // a and |b| with a*e' + b*e = 1, e' = 4Δ², b < 0 (Shoup §3, combining shares).
  const BIGNUM* combine_a() const { return combine_a_.get(); }
  const BIGNUM* combine_b_abs() const { return combine_b_abs_.get(); }
  BN_MONT_CTX* mont() const { return mont_.get(); }
  const FixedBaseTable& v_table() const;

  bool has_share() const { return party_ != 0; }
  int party() const { return party_; }
  const BIGNUM* share() const { return share_.get(); }

  // Bits of the proof randomness r: |n| + 2*L1; z = s_i*c + r has at most one more.
  int proof_random_bits() const;
  int proof_response_bits() const { return proof_random_bits() + 1; }
  size_t proof_response_bytes() const { return static_cast<size_t>(proof_response_bits() + 7) / 8; }

 private:
  int parties_, threshold_, bits_;
  size_t bytes_;
  Bn n_, e_, v_;
  std::vector<Bn> vks_;
  Bn delta_, two_delta_, four_delta_, combine_a_, combine_b_abs_;
  Mont mont_;
  int party_;
  Bn share_;
  mutable std::once_flag table_once_;
  mutable std::unique_ptr<FixedBaseTable> v_table_;
};

// Throws ERR_CASTELLAN_TSIG_INPUT unless 0 < value < n.
void require_group_element(const ThresholdKey& key, const BIGNUM* value, const char* what);

}  // namespace castellan::tsig
