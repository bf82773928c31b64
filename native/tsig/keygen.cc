#include "tsig/keygen.h"

#include "tsig/key.h"

namespace castellan::tsig {
namespace {

// (p - 1) / 2, the Sophie Germain prime behind a safe prime p.
Bn half_of_predecessor(const BIGNUM* p) {
  Bn h = bn_copy(p);
  check(BN_sub_word(h.get(), 1), "BN_sub_word");
  check(BN_rshift1(h.get(), h.get()), "BN_rshift1");
  return h;
}

void require_safe_prime(const BIGNUM* p, BN_CTX* ctx, const char* name) {
  Bn half = half_of_predecessor(p);
  if (BN_check_prime(p, ctx, nullptr) != 1 || BN_check_prime(half.get(), ctx, nullptr) != 1)
    throw TsigError(kErrInput, std::string(name) + " is not a safe prime");
}

}  // namespace

Bytes generate_safe_prime(int bits) {
  if (bits < kMinModulusBits / 2 || bits > kMaxModulusBits / 2)
    throw TsigError(kErrInput, "safe prime size out of range");
  Bn p = bn_new();
  BnCtx ctx = ctx_new();
  // safe = 1: OpenSSL searches p with (p-1)/2 prime too; its random candidates have the top
  // two bits set.
  check(BN_generate_prime_ex2(p.get(), bits, 1, nullptr, nullptr, nullptr, ctx.get()), "BN_generate_prime_ex2");
  return bn_to_bytes(p.get());
}

KeyMaterial deal(const Bytes& p_bytes, const Bytes& q_bytes, int parties, int threshold) {
  if (parties < 1 || parties > kMaxParties) throw TsigError(kErrInput, "parties must be 1.." + std::to_string(kMaxParties));
  if (threshold < 1 || threshold > parties) throw TsigError(kErrInput, "threshold must be 1..parties");
  BnCtx ctx = ctx_new();
  Bn p = bn_from_bytes(p_bytes), q = bn_from_bytes(q_bytes);
  if (BN_cmp(p.get(), q.get()) == 0) throw TsigError(kErrInput, "p and q must differ");
  require_safe_prime(p.get(), ctx.get(), "p");
  require_safe_prime(q.get(), ctx.get(), "q");
  Bn n = bn_new();
  check(BN_mul(n.get(), p.get(), q.get(), ctx.get()), "BN_mul");
  const int bits = BN_num_bits(n.get());
  if (bits < kMinModulusBits || bits > kMaxModulusBits) throw TsigError(kErrInput, "modulus size out of range");
  Bn p1 = half_of_predecessor(p.get()), q1 = half_of_predecessor(q.get());
  Bn m = bn_new();
  check(BN_mul(m.get(), p1.get(), q1.get(), ctx.get()), "BN_mul");
  Bn e = bn_word(kPublicExponent);
  Bn d = bn_new();
  if (!mod_inverse(d.get(), e.get(), m.get(), ctx.get())) throw TsigError(kErrInput, "e divides m = p'q'");

  // f(X) = d + a_1 X + ... + a_{k-1} X^{k-1} over Z_m.
  std::vector<Bn> coeffs;
  coeffs.push_back(bn_copy(d.get()));
  for (int j = 1; j < threshold; ++j) {
    coeffs.push_back(bn_new());
    check(BN_priv_rand_range(coeffs.back().get(), m.get()), "BN_priv_rand_range");
  }
  // v = u^2 for random u: a random square, which generates Q_n with overwhelming probability.
  Bn u = bn_new(), v = bn_new(), g = bn_new();
  do {
    check(BN_priv_rand_range(u.get(), n.get()), "BN_priv_rand_range");
    check(BN_mod_sqr(v.get(), u.get(), n.get(), ctx.get()), "BN_mod_sqr");
    check(BN_gcd(g.get(), v.get(), n.get(), ctx.get()), "BN_gcd");
  } while (BN_is_zero(v.get()) || BN_is_one(v.get()) || !BN_is_one(g.get()));

  KeyMaterial out;
  const size_t nbytes = static_cast<size_t>(BN_num_bytes(n.get()));
  out.n = bn_to_bytes(n.get());
  out.e = bn_to_bytes(e.get());
  out.v = bn_to_bytes(v.get(), nbytes);
  Bn s = bn_new(), vk = bn_new();
  for (int i = 1; i <= parties; ++i) {
    // Horner: s = f(i) mod m.
    check(BN_copy(s.get(), coeffs.back().get()) != nullptr, "BN_copy");
    for (int j = threshold - 2; j >= 0; --j) {
      check(BN_mul_word(s.get(), static_cast<BN_ULONG>(i)), "BN_mul_word");
      check(BN_mod_add(s.get(), s.get(), coeffs[static_cast<size_t>(j)].get(), m.get(), ctx.get()), "BN_mod_add");
    }
    check(BN_nnmod(s.get(), s.get(), m.get(), ctx.get()), "BN_nnmod");
    mod_exp_secret(vk.get(), v.get(), s.get(), n.get(), nullptr, ctx.get());
    out.shares.push_back(bn_to_bytes(s.get()));
    out.verification_keys.push_back(bn_to_bytes(vk.get(), nbytes));
  }
  return out;
}

}  // namespace castellan::tsig
