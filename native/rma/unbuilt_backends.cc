// Entry points of the optional backends this build was compiled without (binding.gyp adds
// verbs_*.cc / fabric_*.cc only when their headers exist): they say so instead of failing late.
#include "rma/backends.h"

namespace castellan {
namespace rma {
namespace {

[[maybe_unused]] std::string unbuilt(const char* backend, const char* header) {
  return std::string(backend) + " backend not compiled in: <" + header +
         "> was missing at build time (install it with ci/install-deps.sh, then rebuild)";
}

}  // namespace

#ifndef CASTELLAN_HAVE_VERBS
bool verbs_available(std::string* why_not) {
  if (why_not) *why_not = unbuilt("verbs", "infiniband/verbs.h");
  return false;
}
std::unique_ptr<Region> create_verbs_region(const RegionOptions&) {
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", unbuilt("verbs", "infiniband/verbs.h"));
}
std::unique_ptr<Connection> connect_verbs(HandleReader&) {
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", unbuilt("verbs", "infiniband/verbs.h"));
}
#endif

#ifndef CASTELLAN_HAVE_FABRIC
bool fabric_available(const std::string&, std::string* why_not) {
  if (why_not) *why_not = unbuilt("fabric", "rdma/fabric.h");
  return false;
}
std::unique_ptr<Region> create_fabric_region(const RegionOptions&) {
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", unbuilt("fabric", "rdma/fabric.h"));
}
std::unique_ptr<Connection> connect_fabric(HandleReader&) {
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", unbuilt("fabric", "rdma/fabric.h"));
}
#endif

}  // namespace rma
}  // namespace castellan
