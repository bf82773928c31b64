// binding.ramcast.RamcastDriver and its endpoints: the real runtime's JS surface
// (src/ramcast/runtime/native-driver.ts wraps it).
//   new RamcastDriver({spinUs})
//   driver.addServer(topology, self, {backend, address, trace}) → endpoint
//   driver.addClient(topology, self, {backend, address, trace}) → endpoint
//   driver.start(onEvents)  onEvents([{node, deliveries, deliveryCount, completions, traces}])
//   driver.stop(), driver.stats()
//   endpoint.grant(peer, 'data'|'ts') → handle; revoke(peer, log); attach(peer, log, handle);
//   detach(peer); stats(); the server core's control calls (core_js.h), takeEffects() (always
//   empty: the driver executes the writes itself); client: multicast(dst, payload, await).
// Events carry batches packed in typed arrays (one JS object per batch, not per message):
//   deliveries: [client u32][seq u32][ts u64][payloadLen u16][ndst u8][0 u8][dst u16 × ndst][payload]
//   completions: Float64Array of (seq, issuedNs, doneNs) triples (CLOCK_MONOTONIC ns)
//   traces: Float64Array of (client, seq, bodyNs, tsNs, ackNs, deliverNs) sextuples
#include <napi.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "common/errors.h"
#include "ramcast/core_js.h"
#include "ramcast/driver.h"
#include "rma/rma_js.h"

namespace castellan::ramcast {
namespace {

constexpr uint32_t kDeliveryHeaderBytes = 20;
// Default yield-spin after activity: a few of this machine's wake-ups (~30 µs each) long.
constexpr uint32_t kSpinUsDefault = 100;

/** The driver and the flag that coalesces wake-ups of JS: one pending call at a time. */
struct DriverState {
  explicit DriverState(uint32_t spin_us) : driver(spin_us) {}
  Driver driver;
  Napi::ThreadSafeFunction tsfn;
  std::atomic<bool> posted{false};
  bool started = false;
};

Log log_arg(Napi::Env env, const Napi::Value& v) {
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  if (s == "data") return Log::kData;
  if (s == "ts") return Log::kTs;
  throw_error(env, kArgError, "log must be 'data' or 'ts'");
}

Napi::Value deliveries_js(Napi::Env env, const std::vector<Delivery>& ds) {
  size_t bytes = 0;
  for (const Delivery& d : ds) bytes += kDeliveryHeaderBytes + 2 * d.dst.size() + d.payload.size();
  auto out = Napi::Uint8Array::New(env, bytes);
  uint8_t* p = out.Data();
  for (const Delivery& d : ds) {
    put_u32(p, id_client(d.id));
    put_u32(p + 4, id_seq(d.id));
    put_u64(p + 8, d.final_ts);
    put_u16(p + 16, uint16_t(d.payload.size()));
    p[18] = uint8_t(d.dst.size());
    p[19] = 0;
    p += kDeliveryHeaderBytes;
    for (uint16_t g : d.dst) {
      put_u16(p, g);
      p += 2;
    }
    if (!d.payload.empty()) std::memcpy(p, d.payload.data(), d.payload.size());
    p += d.payload.size();
  }
  return out;
}

Napi::Object events_js(Napi::Env env, std::vector<std::pair<uint32_t, Outbox>> batches) {
  auto events = Napi::Array::New(env, batches.size());
  for (uint32_t i = 0; i < batches.size(); ++i) {
    const Outbox& o = batches[i].second;
    auto e = Napi::Object::New(env);
    e.Set("node", batches[i].first);
    e.Set("deliveryCount", double(o.deliveries.size()));
    e.Set("deliveries", deliveries_js(env, o.deliveries));
    auto completions = Napi::Float64Array::New(env, o.completions.size() * 3);
    for (size_t k = 0; k < o.completions.size(); ++k) {
      completions[3 * k] = o.completions[k].seq;
      completions[3 * k + 1] = double(o.completions[k].issued_ns);
      completions[3 * k + 2] = double(o.completions[k].done_ns);
    }
    e.Set("completions", completions);
    auto traces = Napi::Float64Array::New(env, o.traces.size() * 6);
    for (size_t k = 0; k < o.traces.size(); ++k) {
      const StageTrace& t = o.traces[k];
      double* row = traces.Data() + 6 * k;
      row[0] = id_client(t.id);
      row[1] = id_seq(t.id);
      row[2] = double(t.body_ns);
      row[3] = double(t.ts_ns);
      row[4] = double(t.ack_ns);
      row[5] = double(t.deliver_ns);
    }
    e.Set("traces", traces);
    events.Set(i, e);
  }
  return events;
}

// Runs an endpoint call from JS: under the driver's mutex, then the core's effects executed,
// then JS told (asynchronously) if deliveries or completions came of it.
template <typename F>
Napi::Value locked(Napi::Env env, DriverState& s, Endpoint& ep, F&& f) {
  Napi::Value out;
  {
    std::lock_guard<std::mutex> lock(s.driver.mutex());
    out = guarded(env, [&] {
      Napi::Value v = f();
      ep.absorb_effects();
      return v;
    });
  }
  s.driver.signal();
  return out;
}

class EndpointJs : public Napi::ObjectWrap<EndpointJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<PropertyDescriptor> props = {
        InstanceMethod<&EndpointJs::Grant>("grant"),       InstanceMethod<&EndpointJs::Revoke>("revoke"),
        InstanceMethod<&EndpointJs::Attach>("attach"),     InstanceMethod<&EndpointJs::Detach>("detach"),
        InstanceMethod<&EndpointJs::Stats>("stats"),       InstanceMethod<&EndpointJs::Multicast>("multicast"),
        InstanceMethod<&EndpointJs::TakeEffects>("takeEffects"),
    };
    for (const ServerCall& c : server_calls())
      props.push_back(InstanceMethod(c.name, &EndpointJs::CallServer, napi_default, const_cast<ServerCall*>(&c)));
    for (const ClientCall& c : client_calls())
      props.push_back(InstanceMethod(c.name, &EndpointJs::CallClient, napi_default, const_cast<ClientCall*>(&c)));
    return DefineClass(env, "RamcastEndpoint", props);
  }

  explicit EndpointJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EndpointJs>(info) {}

  void bind(std::shared_ptr<DriverState> state, Endpoint* ep) {
    state_ = std::move(state);
    ep_ = ep;
  }

 private:
  Napi::Value Grant(const Napi::CallbackInfo& info) {
    const uint32_t peer = info[0].ToNumber().Uint32Value();
    const Log log = log_arg(info.Env(), info[1]);
    return locked(info.Env(), *state_, *ep_, [&]() -> Napi::Value { return to_js(info.Env(), ep_->grant(peer, log)); });
  }
  Napi::Value Revoke(const Napi::CallbackInfo& info) {
    const uint32_t peer = info[0].ToNumber().Uint32Value();
    const Log log = log_arg(info.Env(), info[1]);
    return locked(info.Env(), *state_, *ep_, [&]() -> Napi::Value {
      ep_->revoke(peer, log);
      return info.Env().Undefined();
    });
  }
  Napi::Value Attach(const Napi::CallbackInfo& info) {
    const uint32_t peer = info[0].ToNumber().Uint32Value();
    const Log log = log_arg(info.Env(), info[1]);
    const std::vector<uint8_t> handle = bytes_arg(info.Env(), info[2]);
    return locked(info.Env(), *state_, *ep_, [&]() -> Napi::Value {
      ep_->attach(peer, log, handle.data(), handle.size());
      return info.Env().Undefined();
    });
  }
  Napi::Value Detach(const Napi::CallbackInfo& info) {
    const uint32_t peer = info[0].ToNumber().Uint32Value();
    return locked(info.Env(), *state_, *ep_, [&]() -> Napi::Value {
      ep_->detach(peer);
      return info.Env().Undefined();
    });
  }
  Napi::Value Multicast(const Napi::CallbackInfo& info) {
    MulticastArgs a = multicast_args(info);
    return locked(info.Env(), *state_, *ep_, [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), ep_->multicast(std::move(a.dst), std::move(a.payload), a.await));
    });
  }
  Napi::Value TakeEffects(const Napi::CallbackInfo& info) { return effects_js(info.Env(), Effects{}); }
  Napi::Value CallServer(const Napi::CallbackInfo& info) {
    const auto* c = static_cast<const ServerCall*>(info.Data());
    return locked(info.Env(), *state_, *ep_, [&] { return c->call(info, ep_->server_core()); });
  }
  Napi::Value CallClient(const Napi::CallbackInfo& info) {
    const auto* c = static_cast<const ClientCall*>(info.Data());
    return locked(info.Env(), *state_, *ep_, [&] { return c->call(info, ep_->client_core()); });
  }
  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EndpointStats s;
    size_t pending;
    std::vector<uint32_t> fenced_by;
    {
      std::lock_guard<std::mutex> lock(state_->driver.mutex());
      s = ep_->stats();
      pending = ep_->pending();
      fenced_by = ep_->fenced_by();
    }
    auto o = Napi::Object::New(env);
    o.Set("pendingRecords", double(pending));
    auto fenced = Napi::Array::New(env, fenced_by.size());
    for (uint32_t i = 0; i < fenced_by.size(); ++i) fenced.Set(i, fenced_by[i]);
    o.Set("fencedBy", fenced);
    {
      std::lock_guard<std::mutex> lock(state_->driver.mutex());
      o.Set("links", ep_->describe_links());
    }
    o.Set("recordsIn", double(s.records_in));
    o.Set("recordsOut", double(s.records_out));
    o.Set("rmaWrites", double(s.rma_writes));
    o.Set("bytesOut", double(s.bytes_out));
    o.Set("fencedWrites", double(s.fenced_writes));
    o.Set("stalls", double(s.stalls));
    o.Set("dropped", double(s.dropped));
    o.Set("badRecords", double(s.bad_records));
    return o;
  }

  std::shared_ptr<DriverState> state_;
  Endpoint* ep_ = nullptr;
};

class DriverJs : public Napi::ObjectWrap<DriverJs> {
 public:
  static Napi::Function Define(Napi::Env env, Napi::FunctionReference* endpoint_ctor) {
    ctor_ = endpoint_ctor;
    return DefineClass(env, "RamcastDriver",
                       {InstanceMethod<&DriverJs::AddServer>("addServer"), InstanceMethod<&DriverJs::AddClient>("addClient"),
                        InstanceMethod<&DriverJs::Start>("start"), InstanceMethod<&DriverJs::Stop>("stop"),
                        InstanceMethod<&DriverJs::StatsJs>("stats")});
  }

  explicit DriverJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DriverJs>(info) {
    uint32_t spin_us = kSpinUsDefault;
    if (info.Length() > 0 && info[0].IsObject()) {
      auto opts = info[0].As<Napi::Object>();
      if (opts.Has("spinUs")) spin_us = opts.Get("spinUs").ToNumber().Uint32Value();
    }
    state_ = std::make_shared<DriverState>(spin_us);
  }
  ~DriverJs() override { halt(); }

 private:
  Napi::Value Add(const Napi::CallbackInfo& info, bool server) {
    Napi::Env env = info.Env();
    if (state_->started) throw_error(env, "ERR_CASTELLAN_RAMCAST_STATE", "add nodes before start()");
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber())
      throw_error(env, kArgError, server ? "addServer(topology, self, options?)" : "addClient(topology, self, options?)");
    Topology t = topology_from(env, info[0]);
    const uint32_t self = info[1].As<Napi::Number>().Uint32Value();
    EndpointOptions o;
    if (info.Length() > 2 && info[2].IsObject()) {
      auto opts = info[2].As<Napi::Object>();
      if (opts.Has("backend")) o.backend = guard(env, [&] { return rma::backend_from_name(opts.Get("backend").ToString()); });
      if (opts.Has("address")) o.address = opts.Get("address").ToString().Utf8Value();
      if (opts.Has("trace")) o.trace = opts.Get("trace").ToBoolean().Value();
    }
    Endpoint* ep = guarded(env, [&] { return &state_->driver.add(std::make_unique<Endpoint>(std::move(t), self, server, o)); });
    Napi::Object obj = ctor_->New({});
    EndpointJs::Unwrap(obj)->bind(state_, ep);
    return obj;
  }
  Napi::Value AddServer(const Napi::CallbackInfo& info) { return Add(info, true); }
  Napi::Value AddClient(const Napi::CallbackInfo& info) { return Add(info, false); }

  void Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (state_->started) throw_error(env, "ERR_CASTELLAN_RAMCAST_STATE", "the driver is already started");
    if (info.Length() < 1 || !info[0].IsFunction()) throw_error(env, kArgError, "start(onEvents)");
    std::shared_ptr<DriverState> s = state_;
    s->tsfn = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "castellan.ramcast.driver", 0, 1);
    s->started = true;
    s->driver.start([s] {
      if (s->posted.exchange(true)) return;  // a call is already queued: it will take this too
      s->tsfn.NonBlockingCall([s](Napi::Env env, Napi::Function cb) {
        s->posted = false;
        std::vector<std::pair<uint32_t, Outbox>> batches;
        {
          std::lock_guard<std::mutex> lock(s->driver.mutex());
          batches = s->driver.take();
        }
        if (!batches.empty()) cb.Call({events_js(env, std::move(batches))});
      });
    });
  }
  void Stop(const Napi::CallbackInfo&) { halt(); }
  void halt() {
    if (!state_ || !state_->started) return;
    state_->driver.stop();
    state_->tsfn.Release();
    state_->started = false;
  }
  Napi::Value StatsJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    DriverStats s = state_->driver.stats();
    auto o = Napi::Object::New(env);
    o.Set("polls", double(s.polls));
    o.Set("wakeups", double(s.wakeups));
    o.Set("sleeps", double(state_->driver.sleeps()));
    o.Set("errors", double(s.errors));
    o.Set("lastError", state_->driver.last_error());
    return o;
  }

  static Napi::FunctionReference* ctor_;
  std::shared_ptr<DriverState> state_;
};

Napi::FunctionReference* DriverJs::ctor_ = nullptr;

}  // namespace

void init_driver_js(Napi::Env env, Napi::Object exports) {
  auto* endpoint_ctor = new Napi::FunctionReference(Napi::Persistent(EndpointJs::Define(env)));
  exports.Set("RamcastDriver", DriverJs::Define(env, endpoint_ctor));
}

}  // namespace castellan::ramcast
