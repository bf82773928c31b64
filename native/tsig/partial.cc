#include "tsig/partial.h"

#include "tsig/pkcs1.h"
#include "tsig/proof_hash.h"

namespace castellan::tsig {

Bn share_base(const ThresholdKey& key, const BIGNUM* x, BN_CTX* ctx) {
  Bn y = bn_new();
  mod_exp_public(y.get(), x, key.two_delta(), key.n(), key.mont(), ctx);
  return y;
}

// Cost, in full |n|-bit exponentiations: x_i = y^s_i with y = x^(2Δ) first (1, instead of
// |n|+log2(2Δ) bits for x^(2Δ s_i)); v' = v^r from the fixed-base table (~0.3);
// x' = x~^r (|r|/|n| = 1.25 at 1024 bits). About 2.6 in all.
PartialSignature partial_sign(const ThresholdKey& key, const Bytes& message) {
  if (!key.has_share()) throw TsigError(kErrKey, "this key holds no share: it cannot sign");
  BnCtx ctx = ctx_new();
  BN_CTX* c = ctx.get();
  const BIGNUM* n = key.n();
  Bn x = message_representative(message, key.modulus_bytes());
  Bn y = share_base(key, x.get(), c);

  Bn s = bn_copy(key.share());
  Bn x_i = bn_new();
  mod_exp_secret(x_i.get(), y.get(), s.get(), n, key.mont(), c);

  Bn x_tilde = bn_new(), x_i_sq = bn_new();
  check(BN_mod_sqr(x_tilde.get(), y.get(), n, c), "BN_mod_sqr");
  check(BN_mod_sqr(x_i_sq.get(), x_i.get(), n, c), "BN_mod_sqr");

  Bn r = bn_new();
  check(BN_priv_rand(r.get(), key.proof_random_bits(), BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_priv_rand");
  Bn v_prime = bn_new(), x_prime = bn_new();
  key.v_table().exp(v_prime.get(), r.get(), key.mont(), c);
  mod_exp_secret(x_prime.get(), x_tilde.get(), r.get(), n, key.mont(), c);

  PartialSignature out;
  out.c = proof_challenge(key.modulus_bytes(), key.v(), x_tilde.get(), key.verification_key(key.party()), x_i_sq.get(),
                          v_prime.get(), x_prime.get());
  // z = s_i*c + r over the integers.
  Bn c_bn = bn_from_bytes(out.c), z = bn_new();
  check(BN_mul(z.get(), s.get(), c_bn.get(), c), "BN_mul");
  check(BN_add(z.get(), z.get(), r.get()), "BN_add");
  out.x_i = bn_to_bytes(x_i.get(), key.modulus_bytes());
  out.z = bn_to_bytes(z.get(), key.proof_response_bytes());
  return out;
}

}  // namespace castellan::tsig
