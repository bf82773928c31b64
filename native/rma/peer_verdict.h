// Why a remote operation was refused, as a writer finds out after the fact (fabric, verbs):
// the owner still grants it (live), revoked this grant, closed the region, or is gone.
#pragma once
#include <string>

#include "rma/rma.h"

namespace castellan {
namespace rma {

enum class PeerVerdict { kLive, kRevoked, kClosed, kGone };

/** The error for a refusal with verdict `v` (not kLive). */
inline RmaError refusal(PeerVerdict v, const std::string& what) {
  switch (v) {
    case PeerVerdict::kRevoked:
      return RmaError("ERR_CASTELLAN_RMA_REVOKED", what + " refused: the region's owner revoked this grant");
    case PeerVerdict::kClosed:
      return RmaError("ERR_CASTELLAN_RMA_PEER_CLOSED", what + " refused: the region's owner closed it");
    default:
      return RmaError("ERR_CASTELLAN_RMA_PEER_GONE", what + " failed: the region's owner is unreachable");
  }
}

}  // namespace rma
}  // namespace castellan
