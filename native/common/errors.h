// Native failures become JS Error objects carrying a stable `code` (ERR_CASTELLAN_*), never
// C++ exceptions escaping into V8.
#pragma once
#include <napi.h>

#include <string>

#include "common/coded_error.h"

namespace castellan {

inline Napi::Error make_error(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

[[noreturn]] inline void throw_error(Napi::Env env, const std::string& code, const std::string& message) {
  throw make_error(env, code, message);
}

/** Runs f; a CodedError it throws becomes a JS Error carrying the same code. */
template <typename F>
auto guard(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const CodedError& e) {
    throw_error(env, e.code(), e.what());
  }
}

}  // namespace castellan
