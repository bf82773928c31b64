// binding.ramcast: the RamCast cores as JS classes (RamcastServer, RamcastClient) for the
// simulator's Core adapter (src/ramcast/server-node.ts, client-node.ts): the host copies a
// peer's write in through `landed` and drains effects. The real runtime wraps the same cores
// in native endpoints polled by a driver thread (driver_js.cc) instead.
#include <napi.h>

#include <cstring>
#include <memory>

#include "common/errors.h"
#include "common/module_registry.h"
#include "ramcast/core_js.h"
#include "ramcast/mailbox.h"

namespace castellan::ramcast {

void init_driver_js(Napi::Env env, Napi::Object exports);

namespace {

Region region_arg(Napi::Env env, const Napi::Value& v) {
  if (!v.IsString()) throw_error(env, kArgError, "region must be a string");
  auto r = region_from_name(v.As<Napi::String>().Utf8Value().c_str());
  if (!r) throw_error(env, kArgError, "unknown ramcast region " + v.As<Napi::String>().Utf8Value());
  return *r;
}

// landed(from, region, offset, bytes): copies a peer's write into the core's region, bounded.
template <typename Core>
void land(const Napi::CallbackInfo& info, Core& core, uint8_t* base, size_t size, Region r) {
  Napi::Env env = info.Env();
  const uint32_t offset = info[2].As<Napi::Number>().Uint32Value();
  const std::vector<uint8_t> bytes = bytes_arg(env, info[3]);
  if (size_t(offset) + bytes.size() > size) throw_error(env, kArgError, "write outside the region");
  std::memcpy(base + offset, bytes.data(), bytes.size());
  core.landed(info[0].As<Napi::Number>().Uint32Value(), r, offset, uint32_t(bytes.size()));
}

class ServerJs : public Napi::ObjectWrap<ServerJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<PropertyDescriptor> props = {InstanceMethod<&ServerJs::Landed>("landed"),
                                             InstanceMethod<&ServerJs::TakeEffects>("takeEffects")};
    for (const ServerCall& c : server_calls())
      props.push_back(InstanceMethod(c.name, &ServerJs::Call, napi_default, const_cast<ServerCall*>(&c)));
    return DefineClass(env, "RamcastServer", props);
  }

  explicit ServerJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ServerJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber())
      throw_error(env, kArgError, "new RamcastServer(config, self)");
    Topology t = topology_from(env, info[0]);
    const uint32_t self = info[1].As<Napi::Number>().Uint32Value();
    guarded(env, [&] {
      core_ = std::make_unique<ServerCore>(std::move(t), self);
      return 0;
    });
  }

 private:
  Napi::Value Landed(const Napi::CallbackInfo& info) {
    const Region r = region_arg(info.Env(), info[1]);
    land(info, *core_, core_->region_data(r), core_->region_size(r), r);
    return info.Env().Undefined();
  }
  Napi::Value Call(const Napi::CallbackInfo& info) {
    const auto* c = static_cast<const ServerCall*>(info.Data());
    return guarded(info.Env(), [&] { return c->call(info, *core_); });
  }
  Napi::Value TakeEffects(const Napi::CallbackInfo& info) { return effects_js(info.Env(), core_->take_effects()); }

  std::unique_ptr<ServerCore> core_;
};

class ClientJs : public Napi::ObjectWrap<ClientJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<PropertyDescriptor> props = {InstanceMethod<&ClientJs::Multicast>("multicast"),
                                             InstanceMethod<&ClientJs::Landed>("landed"),
                                             InstanceMethod<&ClientJs::TakeEffects>("takeEffects")};
    for (const ClientCall& c : client_calls())
      props.push_back(InstanceMethod(c.name, &ClientJs::Call, napi_default, const_cast<ClientCall*>(&c)));
    return DefineClass(env, "RamcastClient", props);
  }

  explicit ClientJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClientJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber())
      throw_error(env, kArgError, "new RamcastClient(config, self)");
    Topology t = topology_from(env, info[0]);
    const uint32_t self = info[1].As<Napi::Number>().Uint32Value();
    guarded(env, [&] {
      core_ = std::make_unique<ClientCore>(std::move(t), self);
      return 0;
    });
  }

 private:
  // multicast(dst: number[], payload: Uint8Array[, await]): seq
  Napi::Value Multicast(const Napi::CallbackInfo& info) {
    MulticastArgs a = multicast_args(info);
    return guarded(info.Env(), [&] {
      return Napi::Number::New(info.Env(), core_->multicast(std::move(a.dst), std::move(a.payload), a.await));
    });
  }
  Napi::Value Landed(const Napi::CallbackInfo& info) {
    const Region r = region_arg(info.Env(), info[1]);
    if (r != Region::kCredit) throw_error(info.Env(), kArgError, "a client only exposes its credit region");
    land(info, *core_, core_->region_data(), core_->region_size(), r);
    return info.Env().Undefined();
  }
  Napi::Value Call(const Napi::CallbackInfo& info) {
    const auto* c = static_cast<const ClientCall*>(info.Data());
    return guarded(info.Env(), [&] { return c->call(info, *core_); });
  }
  Napi::Value TakeEffects(const Napi::CallbackInfo& info) { return effects_js(info.Env(), core_->take_effects()); }

  std::unique_ptr<ClientCore> core_;
};

void InitRamcast(Napi::Env env, Napi::Object exports) {
  exports.Set("RamcastServer", ServerJs::Define(env));
  exports.Set("RamcastClient", ClientJs::Define(env));
  init_driver_js(env, exports);
  auto limits = Napi::Object::New(env);
  limits.Set("ringSlots", kRingSlots);
  limits.Set("slotBytes", kSlotBytes);
  limits.Set("maxPayloadBytes", kMaxPayloadBytes);
  limits.Set("maxDstGroups", kMaxDstGroups);
  limits.Set("maxGroupSize", kMaxGroupSize);
  limits.Set("ringRegionBytesPerClient", kRingSlots * kSlotBytes);
  limits.Set("dataRingBytes", kDataRingBytes);
  limits.Set("tsRingBytes", kTsRingBytes);
  exports.Set("limits", limits);
}

}  // namespace
}  // namespace castellan::ramcast

CASTELLAN_REGISTER_MODULE(ramcast, castellan::ramcast::InitRamcast);
