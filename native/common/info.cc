// binding.build: what this addon was compiled with, so the runtime can say which RMA
// backends exist on this machine instead of failing late.
#include <napi.h>

#include "common/module_registry.h"

namespace castellan {
namespace {

void InitBuild(Napi::Env env, Napi::Object exports) {
  Napi::Object backends = Napi::Object::New(env);
  backends.Set("shm", true);
#ifdef CASTELLAN_HAVE_VERBS
  backends.Set("verbs", true);
#else
  backends.Set("verbs", false);
#endif
#ifdef CASTELLAN_HAVE_FABRIC
  backends.Set("fabric", true);
#else
  backends.Set("fabric", false);
#endif
  exports.Set("backends", backends);
  exports.Set("compiler", Napi::String::New(env, __VERSION__));
  exports.Set("napiVersion", Napi::Number::New(env, NAPI_VERSION));
}

}  // namespace
}  // namespace castellan

CASTELLAN_REGISTER_MODULE(build, castellan::InitBuild);
