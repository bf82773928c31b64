#include "tsig/combine.h"

#include <set>

#include "tsig/pkcs1.h"

namespace castellan::tsig {
namespace {

// λ_{0,i}^S = Δ * prod_{j in S, j≠i} (0 - j) / (i - j): an integer because Δ = l! clears
// every denominator (Shoup §3, Lemma 1).
Bn lagrange_at_zero(const ThresholdKey& key, const std::vector<int>& set, int i, BN_CTX* ctx) {
  Bn num = bn_copy(key.delta()), den = bn_word(1);
  bool negative = false;
  for (int j : set) {
    if (j == i) continue;
    check(BN_mul_word(num.get(), static_cast<BN_ULONG>(j)), "BN_mul_word");
    negative = !negative;  // the factor (0 - j) is negative
    const int d = i - j;
    check(BN_mul_word(den.get(), static_cast<BN_ULONG>(d < 0 ? -d : d)), "BN_mul_word");
    if (d < 0) negative = !negative;
  }
  Bn lambda = bn_new(), rem = bn_new();
  check(BN_div(lambda.get(), rem.get(), num.get(), den.get(), ctx), "BN_div");
  if (!BN_is_zero(rem.get())) throw TsigError(kErrInternal, "Lagrange coefficient is not an integer");
  BN_set_negative(lambda.get(), negative ? 1 : 0);
  return lambda;
}

// acc *= base^exponent mod n (exponent > 0, public).
void multiply_power(BIGNUM* acc, const BIGNUM* base, const BIGNUM* exponent, const ThresholdKey& key, BN_CTX* ctx) {
  Bn t = bn_new();
  mod_exp_public(t.get(), base, exponent, key.n(), key.mont(), ctx);
  check(BN_mod_mul(acc, acc, t.get(), key.n(), ctx), "BN_mod_mul");
}

bool is_signature_of(const ThresholdKey& key, const BIGNUM* y, const BIGNUM* x, BN_CTX* ctx) {
  Bn check_x = bn_new();
  mod_exp_public(check_x.get(), y, key.e(), key.n(), key.mont(), ctx);
  return BN_cmp(check_x.get(), x) == 0;
}

}  // namespace

CombineResult combine(const ThresholdKey& key, const Bytes& message, const std::vector<int>& parties,
                      const std::vector<Bytes>& shares) {
  if (parties.size() != shares.size()) throw TsigError(kErrInput, "one share per party");
  if (static_cast<int>(parties.size()) != key.threshold())
    throw TsigError(kErrInput, "combine needs exactly " + std::to_string(key.threshold()) + " shares, got " +
                                   std::to_string(parties.size()));
  std::set<int> distinct;
  for (int p : parties) {
    if (p < 1 || p > key.parties()) throw TsigError(kErrInput, "party must be 1.." + std::to_string(key.parties()));
    if (!distinct.insert(p).second) throw TsigError(kErrInput, "party " + std::to_string(p) + " appears twice");
  }
  BnCtx ctx = ctx_new();
  BN_CTX* c = ctx.get();
  const BIGNUM* n = key.n();
  // Positive and negative exponents are collected apart so one inversion serves them all.
  Bn pos = bn_word(1), neg = bn_word(1), exponent = bn_new();
  for (size_t idx = 0; idx < parties.size(); ++idx) {
    if (shares[idx].size() != key.modulus_bytes())
      throw TsigError(kErrInput, "share of party " + std::to_string(parties[idx]) + " has the wrong length");
    Bn x_i = bn_from_bytes(shares[idx]);
    require_group_element(key, x_i.get(), "share");
    Bn lambda = lagrange_at_zero(key, parties, parties[idx], c);
    const bool negative = BN_is_negative(lambda.get());
    BN_set_negative(lambda.get(), 0);
    check(BN_lshift1(exponent.get(), lambda.get()), "BN_lshift1");
    multiply_power(negative ? neg.get() : pos.get(), x_i.get(), exponent.get(), key, c);
  }
  Bn w = bn_new(), inv = bn_new();
  if (!mod_inverse(inv.get(), neg.get(), n, c)) return {false, Bytes(key.modulus_bytes(), 0)};
  check(BN_mod_mul(w.get(), pos.get(), inv.get(), n, c), "BN_mod_mul");

  // y = w^a * (x^-1)^|b|.
  Bn x = message_representative(message, key.modulus_bytes());
  Bn x_inv = bn_new(), y = bn_new();
  if (!mod_inverse(x_inv.get(), x.get(), n, c)) throw TsigError(kErrInternal, "message representative shares a factor with n");
  mod_exp_public(y.get(), w.get(), key.combine_a(), n, key.mont(), c);
  multiply_power(y.get(), x_inv.get(), key.combine_b_abs(), key, c);
  return {is_signature_of(key, y.get(), x.get(), c), bn_to_bytes(y.get(), key.modulus_bytes())};
}

bool verify_signature(const ThresholdKey& key, const Bytes& message, const Bytes& signature) {
  if (signature.size() != key.modulus_bytes()) return false;
  BnCtx ctx = ctx_new();
  Bn y = bn_from_bytes(signature);
  if (BN_cmp(y.get(), key.n()) >= 0) return false;
  Bn x = message_representative(message, key.modulus_bytes());
  return is_signature_of(key, y.get(), x.get(), ctx.get());
}

}  // namespace castellan::tsig
