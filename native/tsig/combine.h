// Combining k signature shares into an ordinary RSA signature (Shoup 2000 §3):
// w = prod x_i^(2 λ_{0,i}) with integer Lagrange coefficients λ_{0,i} = Δ prod_{j≠i} j/(j-i),
// so w^e = x^e' with e' = 4Δ²; then y = w^a x^b for a*e' + b*e = 1 gives y^e = x.
#pragma once
#include "tsig/key.h"

namespace castellan::tsig {

struct CombineResult {
  bool ok;          // y^e == x: the signature is valid (optimistic combine, checked here)
  Bytes signature;  // y, modulus length
};

// Exactly key.threshold() distinct parties. Shares are not verified here: a wrong share
// yields ok == false, and the caller then verifies shares to name the faulty party.
CombineResult combine(const ThresholdKey& key, const Bytes& message, const std::vector<int>& parties,
                      const std::vector<Bytes>& shares);

// RSA verification of a combined signature: y^e == EM(message).
bool verify_signature(const ThresholdKey& key, const Bytes& message, const Bytes& signature);

}  // namespace castellan::tsig
