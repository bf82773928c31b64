// The castellan addon: one shared object whose subsystems (common, rma, mcast, tsig,
// ramcast) each register their exports through module_registry.h.
#include <napi.h>

#include "common/module_registry.h"

namespace castellan {

std::vector<ModuleEntry>& module_registry() {
  static std::vector<ModuleEntry> registry;
  return registry;
}

}  // namespace castellan

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (const auto& entry : castellan::module_registry()) {
    Napi::Object sub = Napi::Object::New(env);
    entry.init(env, sub);
    exports.Set(entry.name, sub);
  }
  return exports;
}

NODE_API_MODULE(castellan, Init)
