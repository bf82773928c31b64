// JS Poller: new Poller({spinUs}); watch(region) → slot; wait(timeoutMs) → slots (blocking:
// for worker threads and tests); start(callback) runs the poller on its own thread and
// delivers batches of ready slots through a ThreadSafeFunction, one batch in flight at a
// time (back-pressure: it does not poll again until JS has taken the last batch).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "rma/rma_js.h"

namespace castellan {
namespace rma {
namespace {

constexpr int64_t kStopCheckUs = 20 * 1000;  // a started poller notices stop() within 20 ms

class PollerJs : public Napi::ObjectWrap<PollerJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Poller",
                       {InstanceMethod("watch", &PollerJs::Watch), InstanceMethod("unwatch", &PollerJs::Unwatch),
                        InstanceMethod("wait", &PollerJs::Wait), InstanceMethod("start", &PollerJs::Start),
                        InstanceMethod("stop", &PollerJs::Stop), InstanceAccessor("sleeps", &PollerJs::Sleeps, nullptr)});
  }

  explicit PollerJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PollerJs>(info), poller_(options(info)) {}
  ~PollerJs() override { halt(); }

 private:
  static PollerOptions options(const Napi::CallbackInfo& info) {
    PollerOptions o;
    if (info.Length() > 0 && info[0].IsObject()) {
      auto opts = info[0].As<Napi::Object>();
      if (opts.Has("spinUs")) o.spin_us = opts.Get("spinUs").ToNumber().Uint32Value();
    }
    return o;
  }
  void idle(Napi::Env env) {
    if (thread_.joinable()) throw_error(env, "ERR_CASTELLAN_RMA_BUSY", "stop() the poller before changing or waiting on it");
  }
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    idle(info.Env());
    auto region = info.Length() > 0 ? unwrap_region(info[0]) : nullptr;
    if (!region) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "watch(region: Region)");
    int slot = guard(info.Env(), [&] { return poller_.watch(region.get()); });
    if (size_t(slot) >= regions_.size()) regions_.resize(slot + 1);
    regions_[slot] = region;  // keeps the memory mapped while watched
    return Napi::Number::New(info.Env(), slot);
  }
  void Unwatch(const Napi::CallbackInfo& info) {
    idle(info.Env());
    int slot = info.Length() > 0 ? info[0].ToNumber().Int32Value() : -1;
    poller_.unwatch(slot);
    if (slot >= 0 && size_t(slot) < regions_.size()) regions_[slot].reset();
  }
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    idle(info.Env());
    double ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    std::vector<int> ready;
    poller_.wait(ms < 0 ? -1 : int64_t(ms * 1000), ready);
    return slots(info.Env(), ready);
  }
  static Napi::Array slots(Napi::Env env, const std::vector<int>& ready) {
    Napi::Array out = Napi::Array::New(env, ready.size());
    for (size_t i = 0; i < ready.size(); ++i) out.Set(uint32_t(i), Napi::Number::New(env, ready[i]));
    return out;
  }
  void Start(const Napi::CallbackInfo& info) {
    idle(info.Env());
    if (info.Length() < 1 || !info[0].IsFunction()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "start(callback)");
    tsfn_ = Napi::ThreadSafeFunction::New(info.Env(), info[0].As<Napi::Function>(), "castellan.rma.poller", 0, 1);
    stop_ = false;
    in_flight_ = false;
    thread_ = std::thread([this] { run(); });
  }
  void run() {
    std::vector<int> ready;
    while (!stop_) {
      if (poller_.wait(kStopCheckUs, ready) == 0) continue;
      {
        std::unique_lock<std::mutex> lock(mu_);
        in_flight_ = true;
      }
      auto* batch = new std::vector<int>(ready);
      napi_status st = tsfn_.BlockingCall(batch, [this](Napi::Env env, Napi::Function cb, std::vector<int>* b) {
        std::unique_ptr<std::vector<int>> own(b);
        {
          std::lock_guard<std::mutex> lock(mu_);
          in_flight_ = false;
        }
        cv_.notify_one();
        cb.Call({slots(env, *own)});
      });
      if (st != napi_ok) {
        delete batch;
        return;
      }
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !in_flight_ || stop_; });
    }
  }
  void Stop(const Napi::CallbackInfo&) { halt(); }
  void halt() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    tsfn_.Release();
  }
  Napi::Value Sleeps(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(poller_.sleeps())); }

  Poller poller_;
  std::vector<std::shared_ptr<Region>> regions_;
  Napi::ThreadSafeFunction tsfn_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  bool in_flight_ = false;
};

}  // namespace

void init_poller_js(Napi::Env env, Napi::Object exports) { exports.Set("Poller", PollerJs::Define(env)); }

}  // namespace rma
}  // namespace castellan
