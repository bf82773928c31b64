// Entry points of the verbs and fabric backends, which are not implemented yet: the addon
// links libibverbs/libfabric when their headers exist (binding.gyp), but native/rma has no
// verbs_*.cc / fabric_*.cc yet. Until then they say so instead of failing late.
#include "rma/backends.h"

namespace castellan {
namespace rma {
namespace {

std::string reason(const char* backend, bool headers) {
  return std::string(backend) + " backend not implemented yet in native/rma" +
         (headers ? " (headers and library are present on this machine)" : " (and built without its headers)");
}

#ifdef CASTELLAN_HAVE_VERBS
constexpr bool kVerbsHeaders = true;
#else
constexpr bool kVerbsHeaders = false;
#endif
#ifdef CASTELLAN_HAVE_FABRIC
constexpr bool kFabricHeaders = true;
#else
constexpr bool kFabricHeaders = false;
#endif

[[noreturn]] void unavailable(const char* backend, bool headers) {
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE", reason(backend, headers));
}

}  // namespace

bool verbs_available(std::string* why_not) {
  if (why_not) *why_not = reason("verbs", kVerbsHeaders);
  return false;
}
std::unique_ptr<Region> create_verbs_region(const RegionOptions&) { unavailable("verbs", kVerbsHeaders); }
std::unique_ptr<Connection> connect_verbs(HandleReader&) { unavailable("verbs", kVerbsHeaders); }

bool fabric_available(const std::string&, std::string* why_not) {
  if (why_not) *why_not = reason("fabric", kFabricHeaders);
  return false;
}
std::unique_ptr<Region> create_fabric_region(const RegionOptions&) { unavailable("fabric", kFabricHeaders); }
std::unique_ptr<Connection> connect_fabric(HandleReader&) { unavailable("fabric", kFabricHeaders); }

}  // namespace rma
}  // namespace castellan
