// Every heavy tsig call exists twice from one body: as a Promise (an AsyncWorker on libuv's
// pool, so the event loop never waits on a modular exponentiation) and as a synchronous call
// for piscina workers, whose thread already is the compute thread.
#pragma once
#include <napi.h>

#include <functional>
#include <optional>
#include <string>

#include "common/errors.h"
#include "tsig/bignum.h"

namespace castellan::tsig {

// Converts a computation's result to JS on the main thread; one overload per result type.
template <typename R>
using ToJs = Napi::Value (*)(Napi::Env, const R&);

template <typename R>
class PromiseJob : public Napi::AsyncWorker {
 public:
  PromiseJob(Napi::Env env, std::function<R()> body, ToJs<R> to_js)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), body_(std::move(body)), to_js_(to_js) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_.emplace(body_());
    } catch (const CodedError& e) {
      code_ = e.code();
      message_ = e.what();
    } catch (const std::exception& e) {
      code_ = kErrInternal;
      message_ = e.what();
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_) {
      deferred_.Reject(make_error(env, code_, message_).Value());
      return;
    }
    deferred_.Resolve(to_js_(env, *result_));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<R()> body_;
  ToJs<R> to_js_;
  std::optional<R> result_;
  std::string code_;
  std::string message_;
};

// Runs `body` as a Promise (async) or in place (sync); the arguments were already copied out
// of JS by the caller, so `body` touches no JS value.
template <typename R>
Napi::Value run_job(Napi::Env env, bool async, std::function<R()> body, ToJs<R> to_js) {
  if (async) {
    auto* job = new PromiseJob<R>(env, std::move(body), to_js);
    Napi::Promise p = job->promise();
    job->Queue();
    return p;
  }
  return to_js(env, guard(env, body));
}

}  // namespace castellan::tsig
