#include "tsig/bignum.h"

#include <openssl/err.h>

namespace castellan::tsig {

void check(int ok, const char* what) {
  if (!ok) throw TsigError(kErrInternal, std::string("OpenSSL failed in ") + what);
}

Bn bn_new() {
  BIGNUM* b = BN_new();
  check(b != nullptr, "BN_new");
  return Bn(b);
}

Bn bn_word(unsigned long w) {
  Bn b = bn_new();
  check(BN_set_word(b.get(), w), "BN_set_word");
  return b;
}

Bn bn_copy(const BIGNUM* a) {
  BIGNUM* b = BN_dup(a);
  check(b != nullptr, "BN_dup");
  return Bn(b);
}

BnCtx ctx_new() {
  BN_CTX* c = BN_CTX_new();
  check(c != nullptr, "BN_CTX_new");
  return BnCtx(c);
}

Bn bn_from_bytes(const Bytes& be) {
  Bn b = bn_new();
  check(BN_bin2bn(be.data(), static_cast<int>(be.size()), b.get()) != nullptr, "BN_bin2bn");
  return b;
}

Bytes bn_to_bytes(const BIGNUM* a, size_t len) {
  Bytes out(len);
  if (BN_bn2binpad(a, out.data(), static_cast<int>(len)) < 0)
    throw TsigError(kErrInternal, "number does not fit its fixed encoding");
  return out;
}

Bytes bn_to_bytes(const BIGNUM* a) { return bn_to_bytes(a, static_cast<size_t>(BN_num_bytes(a))); }

void mod_exp_public(BIGNUM* r, const BIGNUM* a, const BIGNUM* p, const BIGNUM* n, BN_MONT_CTX* mont, BN_CTX* ctx) {
  check(BN_mod_exp_mont(r, a, p, n, ctx, mont), "BN_mod_exp_mont");
}

void mod_exp_secret(BIGNUM* r, const BIGNUM* a, BIGNUM* p, const BIGNUM* n, BN_MONT_CTX* mont, BN_CTX* ctx) {
  BN_set_flags(p, BN_FLG_CONSTTIME);
  check(BN_mod_exp_mont_consttime(r, a, p, n, ctx, mont), "BN_mod_exp_mont_consttime");
}

bool mod_inverse(BIGNUM* r, const BIGNUM* a, const BIGNUM* n, BN_CTX* ctx) {
  if (BN_mod_inverse(r, a, n, ctx) != nullptr) return true;
  ERR_clear_error();
  return false;
}

}  // namespace castellan::tsig
