// Each native subsystem registers its exports here at load time, so adding a subsystem is
// one new .cc file plus one line in binding.gyp; addon.cc never changes.
#pragma once
#include <napi.h>

#include <vector>

namespace castellan {

using ModuleInit = void (*)(Napi::Env env, Napi::Object exports);

struct ModuleEntry {
  const char* name;
  ModuleInit init;
};

std::vector<ModuleEntry>& module_registry();

struct ModuleRegistrar {
  ModuleRegistrar(const char* name, ModuleInit init) { module_registry().push_back({name, init}); }
};

}  // namespace castellan

// Exports of a subsystem land under exports.<name> (e.g. binding.tsig.partialSign). Use at
// namespace scope, once per subsystem name.
#define CASTELLAN_REGISTER_MODULE(name, init) \
  static ::castellan::ModuleRegistrar castellan_registrar_##name(#name, init)
