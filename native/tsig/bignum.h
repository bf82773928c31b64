// OpenSSL BIGNUM through Node's own headers (DESIGN "Big numbers": no system library; node
// exports the symbols). RAII owners so no early return leaks or leaves a secret in memory,
// and TsigError: the one failure type of this subsystem, mapped to a JS error with a code.
#pragma once
#include <openssl/bn.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/coded_error.h"

namespace castellan::tsig {

using Bytes = std::vector<uint8_t>;

// A failure with a stable ERR_CASTELLAN_* code; thrown on any thread, turned into a JS
// Error on the main thread (async_job.h).
class TsigError : public CodedError {
 public:
  using CodedError::CodedError;
};

inline constexpr const char* kErrKey = "ERR_CASTELLAN_TSIG_KEY";
inline constexpr const char* kErrInput = "ERR_CASTELLAN_TSIG_INPUT";
inline constexpr const char* kErrInternal = "ERR_CASTELLAN_TSIG_INTERNAL";

struct BnFree {
  // Clear-free: shares, primes and proof randomness pass through these.
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct MontFree {
  void operator()(BN_MONT_CTX* m) const { BN_MONT_CTX_free(m); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using BnCtx = std::unique_ptr<BN_CTX, CtxFree>;
using Mont = std::unique_ptr<BN_MONT_CTX, MontFree>;

Bn bn_new();
Bn bn_word(unsigned long w);
Bn bn_copy(const BIGNUM* a);
BnCtx ctx_new();
Bn bn_from_bytes(const Bytes& be);
// Big-endian, left-padded to `len` bytes; throws if the value does not fit.
Bytes bn_to_bytes(const BIGNUM* a, size_t len);
Bytes bn_to_bytes(const BIGNUM* a);

// OpenSSL returned 0: out of memory or an impossible state. Never a user error.
void check(int ok, const char* what);

// r = a^p mod n for public values (variable time is fine).
void mod_exp_public(BIGNUM* r, const BIGNUM* a, const BIGNUM* p, const BIGNUM* n, BN_MONT_CTX* mont, BN_CTX* ctx);
// r = a^p mod n where p is secret: constant-time Montgomery ladder of OpenSSL.
void mod_exp_secret(BIGNUM* r, const BIGNUM* a, BIGNUM* p, const BIGNUM* n, BN_MONT_CTX* mont, BN_CTX* ctx);
// r = a^-1 mod n; false when a is not invertible.
bool mod_inverse(BIGNUM* r, const BIGNUM* a, const BIGNUM* n, BN_CTX* ctx);

}  // namespace castellan::tsig
