#include "tsig/verify_share.h"

#include "tsig/partial.h"
#include "tsig/pkcs1.h"
#include "tsig/proof_hash.h"

namespace castellan::tsig {
namespace {

// out = a^z * (b^c)^-1 mod n; false when b^c is not invertible (a forged value sharing a
// factor with n).
bool power_quotient(BIGNUM* out, const BIGNUM* a_to_z, const BIGNUM* b, const BIGNUM* c_bn, const ThresholdKey& key,
                    BN_CTX* ctx) {
  Bn b_c = bn_new(), inv = bn_new();
  mod_exp_public(b_c.get(), b, c_bn, key.n(), key.mont(), ctx);
  if (!mod_inverse(inv.get(), b_c.get(), key.n(), ctx)) return false;
  check(BN_mod_mul(out, a_to_z, inv.get(), key.n(), ctx), "BN_mod_mul");
  return true;
}

}  // namespace

bool verify_share(const ThresholdKey& key, const Bytes& message, int party, const Bytes& x_i_bytes, const Bytes& c_bytes,
                  const Bytes& z_bytes) {
  if (party < 1 || party > key.parties()) throw TsigError(kErrInput, "party must be 1.." + std::to_string(key.parties()));
  if (x_i_bytes.size() != key.modulus_bytes() || c_bytes.size() != kChallengeBytes ||
      z_bytes.size() != key.proof_response_bytes())
    return false;
  BnCtx ctx = ctx_new();
  BN_CTX* c = ctx.get();
  const BIGNUM* n = key.n();
  Bn x_i = bn_from_bytes(x_i_bytes), c_bn = bn_from_bytes(c_bytes), z = bn_from_bytes(z_bytes);
  if (BN_is_zero(x_i.get()) || BN_cmp(x_i.get(), n) >= 0) return false;
  if (BN_num_bits(z.get()) > key.proof_response_bits()) return false;

  Bn x = message_representative(message, key.modulus_bytes());
  Bn y = share_base(key, x.get(), c);
  Bn x_tilde = bn_new(), x_i_sq = bn_new();
  check(BN_mod_sqr(x_tilde.get(), y.get(), n, c), "BN_mod_sqr");
  check(BN_mod_sqr(x_i_sq.get(), x_i.get(), n, c), "BN_mod_sqr");

  Bn v_z = bn_new(), x_tilde_z = bn_new(), v_prime = bn_new(), x_prime = bn_new();
  key.v_table().exp(v_z.get(), z.get(), key.mont(), c);
  mod_exp_public(x_tilde_z.get(), x_tilde.get(), z.get(), n, key.mont(), c);
  if (!power_quotient(v_prime.get(), v_z.get(), key.verification_key(party), c_bn.get(), key, c)) return false;
  if (!power_quotient(x_prime.get(), x_tilde_z.get(), x_i_sq.get(), c_bn.get(), key, c)) return false;
  Bytes expected = proof_challenge(key.modulus_bytes(), key.v(), x_tilde.get(), key.verification_key(party), x_i_sq.get(),
                                   v_prime.get(), x_prime.get());
  return expected == c_bytes;
}

}  // namespace castellan::tsig
