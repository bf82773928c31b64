#include "tsig/proof_hash.h"

#include <cstring>

#include "tsig/pkcs1.h"

namespace castellan::tsig {
namespace {
constexpr char kDomainTag[] = "castellan/shoup-proof/v1";
}

Bytes proof_challenge(size_t modulus_bytes, const BIGNUM* v, const BIGNUM* x_tilde, const BIGNUM* v_i,
                      const BIGNUM* x_i_squared, const BIGNUM* v_prime, const BIGNUM* x_prime) {
  const BIGNUM* parts[] = {v, x_tilde, v_i, x_i_squared, v_prime, x_prime};
  Bytes input(sizeof(kDomainTag));
  std::memcpy(input.data(), kDomainTag, sizeof(kDomainTag));
  for (const BIGNUM* part : parts) {
    Bytes enc = bn_to_bytes(part, modulus_bytes);
    input.insert(input.end(), enc.begin(), enc.end());
  }
  Bytes digest = sha256(input.data(), input.size());
  digest.resize(kChallengeBytes);
  return digest;
}

}  // namespace castellan::tsig
