// Native failures become JS Error objects carrying a stable `code` (ERR_CASTELLAN_*), never
// C++ exceptions escaping into V8.
#pragma once
#include <napi.h>

#include <string>

namespace castellan {

inline Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

[[noreturn]] inline void throw_error(Napi::Env env, const std::string& code, const std::string& message) {
  throw make_error(env, code, message);
}

}  // namespace castellan
