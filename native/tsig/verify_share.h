// Checks one party's signature share against its verification key (Shoup 2000 §3):
// c == H'(v, x~, v_i, x_i^2, v^z v_i^-c, x~^z x_i^-2c).
#pragma once
#include "tsig/key.h"

namespace castellan::tsig {

// False for a wrong share or proof; throws only for a malformed call (bad party number).
bool verify_share(const ThresholdKey& key, const Bytes& message, int party, const Bytes& x_i, const Bytes& c,
                  const Bytes& z);

}  // namespace castellan::tsig
