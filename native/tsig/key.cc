#include "tsig/key.h"

#include "tsig/proof_hash.h"

namespace castellan::tsig {
namespace {

[[noreturn]] void bad_key(const std::string& why) { throw TsigError(kErrKey, "invalid threshold key: " + why); }

Bn factorial(int l) {
  Bn f = bn_word(1);
  for (int i = 2; i <= l; ++i) check(BN_mul_word(f.get(), static_cast<BN_ULONG>(i)), "BN_mul_word");
  return f;
}

}  // namespace

void require_group_element(const ThresholdKey& key, const BIGNUM* value, const char* what) {
  if (BN_is_negative(value) || BN_is_zero(value) || BN_cmp(value, key.n()) >= 0)
    throw TsigError(kErrInput, std::string(what) + " is not an element of Z_n");
}

ThresholdKey::ThresholdKey(const PublicParams& p, int party, const Bytes& share)
    : parties_(p.parties), threshold_(p.threshold), bits_(0), bytes_(0), party_(party) {
  if (parties_ < 1 || parties_ > kMaxParties) bad_key("parties must be 1.." + std::to_string(kMaxParties));
  if (threshold_ < 1 || threshold_ > parties_) bad_key("threshold must be 1..parties");
  if (static_cast<int>(p.verification_keys.size()) != parties_) bad_key("need one verification key per party");
  BnCtx ctx = ctx_new();
  n_ = bn_from_bytes(p.n);
  bits_ = BN_num_bits(n_.get());
  bytes_ = static_cast<size_t>(BN_num_bytes(n_.get()));
  if (bits_ < kMinModulusBits || bits_ > kMaxModulusBits)
    bad_key("modulus must have " + std::to_string(kMinModulusBits) + ".." + std::to_string(kMaxModulusBits) + " bits");
  if (!BN_is_odd(n_.get())) bad_key("modulus is even");
  e_ = bn_from_bytes(p.e);
  if (!BN_is_word(e_.get(), kPublicExponent)) bad_key("public exponent must be 65537");
  Mont mont(BN_MONT_CTX_new());
  check(mont != nullptr, "BN_MONT_CTX_new");
  check(BN_MONT_CTX_set(mont.get(), n_.get(), ctx.get()), "BN_MONT_CTX_set");
  mont_ = std::move(mont);
  v_ = bn_from_bytes(p.v);
  require_group_element(*this, v_.get(), "verification base v");
  for (const Bytes& vk : p.verification_keys) {
    vks_.push_back(bn_from_bytes(vk));
    require_group_element(*this, vks_.back().get(), "verification key");
  }
  if (party_ != 0) {
    if (party_ < 1 || party_ > parties_) bad_key("party must be 1..parties");
    share_ = bn_from_bytes(share);
    if (BN_is_zero(share_.get()) || BN_cmp(share_.get(), n_.get()) >= 0) bad_key("share out of range");
    BN_set_flags(share_.get(), BN_FLG_CONSTTIME);
  }
  delta_ = factorial(parties_);
  two_delta_ = bn_copy(delta_.get());
  check(BN_lshift1(two_delta_.get(), delta_.get()), "BN_lshift1");
  four_delta_ = bn_copy(delta_.get());
  check(BN_lshift(four_delta_.get(), delta_.get(), 2), "BN_lshift");
  // e' = 4Δ²; gcd(e', e) = 1 because e is a prime larger than l. a = e'^-1 mod e, so
  // a*e' - 1 = |b|*e with b = -(a*e' - 1)/e.
  Bn e_prime = bn_new();
  check(BN_mul(e_prime.get(), four_delta_.get(), delta_.get(), ctx.get()), "BN_mul");
  combine_a_ = bn_new();
  if (!mod_inverse(combine_a_.get(), e_prime.get(), e_.get(), ctx.get())) bad_key("4Δ² is not invertible mod e");
  combine_b_abs_ = bn_new();
  Bn rem = bn_new();
  check(BN_mul(e_prime.get(), e_prime.get(), combine_a_.get(), ctx.get()), "BN_mul");
  check(BN_sub_word(e_prime.get(), 1), "BN_sub_word");
  check(BN_div(combine_b_abs_.get(), rem.get(), e_prime.get(), e_.get(), ctx.get()), "BN_div");
  if (!BN_is_zero(rem.get())) throw TsigError(kErrInternal, "combine exponents: a*e' - 1 is not a multiple of e");
}

int ThresholdKey::proof_random_bits() const { return bits_ + 2 * kChallengeBits; }

const FixedBaseTable& ThresholdKey::v_table() const {
  std::call_once(table_once_, [this] {
    v_table_ = std::make_unique<FixedBaseTable>(v_.get(), n_.get(), mont_.get(), proof_response_bits());
  });
  return *v_table_;
}

}  // namespace castellan::tsig
