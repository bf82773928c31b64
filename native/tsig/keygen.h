// Trusted-dealer key generation (Shoup 2000 §3): n = pq with safe primes p = 2p'+1,
// q = 2q'+1; d = e^-1 mod m, m = p'q'; shares s_i = f(i) of a random polynomial of degree
// k-1 over Z_m with f(0) = d; verification base v a random square, v_i = v^s_i.
#pragma once
#include "tsig/bignum.h"

namespace castellan::tsig {

struct KeyMaterial {
  Bytes n, e, v;
  std::vector<Bytes> verification_keys;
  std::vector<Bytes> shares;  // shares[i-1] = s_i
};

// One safe prime of exactly `bits` bits (its top two bits set, so p*q has 2*bits bits).
Bytes generate_safe_prime(int bits);

// Deals (parties, threshold) shares of the key n = p*q; checks that p, q are distinct safe primes.
KeyMaterial deal(const Bytes& p, const Bytes& q, int parties, int threshold);

}  // namespace castellan::tsig
