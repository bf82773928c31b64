// binding.ramcast: the RamCast cores as JS classes (RamcastServer, RamcastClient) for the
// simulator's Core adapter and the control plane in src/ramcast. The simulator copies landed
// bytes in through `landed`; the real runtime's poller calls the cores without JS.
#include <napi.h>

#include <stdexcept>

#include "common/errors.h"
#include "common/module_registry.h"
#include "ramcast/client_core.h"
#include "ramcast/server_core.h"

namespace castellan::ramcast {
namespace {

constexpr const char* kArgError = "ERR_CASTELLAN_RAMCAST_ARG";

Topology topology_from(Napi::Env env, const Napi::Object& cfg) {
  Topology t;
  if (!cfg.Get("groups").IsArray() || !cfg.Get("clients").IsArray())
    throw_error(env, kArgError, "ramcast config needs groups: number[][] and clients: number[]");
  auto groups = cfg.Get("groups").As<Napi::Array>();
  for (uint32_t g = 0; g < groups.Length(); ++g) {
    if (!groups.Get(g).IsArray()) throw_error(env, kArgError, "ramcast group must be an array of node ids");
    auto members = groups.Get(g).As<Napi::Array>();
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < members.Length(); ++i) ids.push_back(members.Get(i).As<Napi::Number>().Uint32Value());
    t.groups.push_back(std::move(ids));
  }
  auto clients = cfg.Get("clients").As<Napi::Array>();
  for (uint32_t i = 0; i < clients.Length(); ++i) t.clients.push_back(clients.Get(i).As<Napi::Number>().Uint32Value());
  return t;
}

Region region_arg(Napi::Env env, const Napi::Value& v) {
  if (!v.IsString()) throw_error(env, kArgError, "region must be a string");
  auto r = region_from_name(v.As<Napi::String>().Utf8Value().c_str());
  if (!r) throw_error(env, kArgError, "unknown ramcast region " + v.As<Napi::String>().Utf8Value());
  return *r;
}

std::vector<uint8_t> bytes_arg(Napi::Env env, const Napi::Value& v) {
  if (!v.IsTypedArray()) throw_error(env, kArgError, "expected a Uint8Array");
  auto a = v.As<Napi::Uint8Array>();
  return std::vector<uint8_t>(a.Data(), a.Data() + a.ByteLength());
}

Napi::Uint8Array to_js(Napi::Env env, const std::vector<uint8_t>& b) {
  auto out = Napi::Uint8Array::New(env, b.size());
  if (!b.empty()) std::memcpy(out.Data(), b.data(), b.size());
  return out;
}

Napi::Array groups_js(Napi::Env env, const std::vector<uint16_t>& dst) {
  auto a = Napi::Array::New(env, dst.size());
  for (uint32_t i = 0; i < dst.size(); ++i) a.Set(i, dst[i]);
  return a;
}

Napi::Object effects_js(Napi::Env env, Effects fx) {
  auto writes = Napi::Array::New(env, fx.writes.size());
  for (uint32_t i = 0; i < fx.writes.size(); ++i) {
    const Write& w = fx.writes[i];
    auto o = Napi::Object::New(env);
    o.Set("to", w.to);
    o.Set("region", region_name(w.region));
    o.Set("offset", w.offset);
    o.Set("bytes", to_js(env, w.bytes));
    writes.Set(i, o);
  }
  auto deliveries = Napi::Array::New(env, fx.deliveries.size());
  for (uint32_t i = 0; i < fx.deliveries.size(); ++i) {
    const Delivery& d = fx.deliveries[i];
    auto o = Napi::Object::New(env);
    o.Set("client", id_client(d.id));
    o.Set("seq", id_seq(d.id));
    o.Set("ts", double(d.final_ts));
    o.Set("dst", groups_js(env, d.dst));
    o.Set("payload", to_js(env, d.payload));
    deliveries.Set(i, o);
  }
  auto issued = Napi::Array::New(env, fx.issued.size());
  for (uint32_t i = 0; i < fx.issued.size(); ++i) {
    auto o = Napi::Object::New(env);
    o.Set("client", id_client(fx.issued[i].id));
    o.Set("seq", id_seq(fx.issued[i].id));
    o.Set("dst", groups_js(env, fx.issued[i].dst));
    issued.Set(i, o);
  }
  auto out = Napi::Object::New(env);
  out.Set("writes", writes);
  out.Set("deliveries", deliveries);
  out.Set("issued", issued);
  return out;
}

// Runs a core call, turning its std exceptions into coded JS errors.
template <typename F>
auto guarded(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw_error(env, kArgError, e.what());
  } catch (const std::length_error& e) {
    throw_error(env, "ERR_CASTELLAN_RAMCAST_FULL", e.what());
  } catch (const std::logic_error& e) {
    throw_error(env, "ERR_CASTELLAN_RAMCAST_STATE", e.what());
  }
}

void copy_landed(Napi::Env env, uint8_t* base, size_t size, uint32_t offset, const std::vector<uint8_t>& bytes) {
  if (size_t(offset) + bytes.size() > size) throw_error(env, kArgError, "write outside the region");
  std::memcpy(base + offset, bytes.data(), bytes.size());
}

class ServerJs : public Napi::ObjectWrap<ServerJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RamcastServer",
                       {InstanceMethod<&ServerJs::Landed>("landed"),
                        InstanceMethod<&ServerJs::InstallRound>("installRound"),
                        InstanceMethod<&ServerJs::SetGroupLeader>("setGroupLeader"),
                        InstanceMethod<&ServerJs::ObserveClock>("observeClock"),
                        InstanceMethod<&ServerJs::Settle>("settle"),
                        InstanceMethod<&ServerJs::OpenRound>("openRound"),
                        InstanceMethod<&ServerJs::SuspectClient>("suspectClient"),
                        InstanceMethod<&ServerJs::Resync>("resync"),
                        InstanceMethod<&ServerJs::ReportJs>("report"),
                        InstanceMethod<&ServerJs::TakeEffects>("takeEffects"),
                        InstanceMethod<&ServerJs::Info>("info"),
                        InstanceMethod<&ServerJs::DescribePending>("describePending")});
  }

  explicit ServerJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ServerJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber())
      throw_error(env, kArgError, "new RamcastServer(config, self)");
    Topology t = topology_from(env, info[0].As<Napi::Object>());
    const uint32_t self = info[1].As<Napi::Number>().Uint32Value();
    guarded(env, [&] {
      core_ = std::make_unique<ServerCore>(std::move(t), self);
      return 0;
    });
  }

 private:
  // landed(from, region, offset, bytes): the simulator's host copies a peer's write in.
  Napi::Value Landed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Region r = region_arg(env, info[1]);
    const uint32_t offset = info[2].As<Napi::Number>().Uint32Value();
    const std::vector<uint8_t> bytes = bytes_arg(env, info[3]);
    copy_landed(env, core_->region_data(r), core_->region_size(r), offset, bytes);
    core_->landed(info[0].As<Napi::Number>().Uint32Value(), r, offset, uint32_t(bytes.size()));
    return env.Undefined();
  }
  Napi::Value InstallRound(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      core_->install_round(uint64_t(info[0].As<Napi::Number>().DoubleValue()));
      return info.Env().Undefined();
    });
  }
  Napi::Value SetGroupLeader(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      core_->set_group_leader(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value());
      return info.Env().Undefined();
    });
  }
  Napi::Value ObserveClock(const Napi::CallbackInfo& info) {
    core_->observe_clock(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }
  // settle(image, value | null, foreign: {group, round, value}[])
  Napi::Value Settle(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const std::vector<uint8_t> image = bytes_arg(env, info[0]);
    std::optional<uint64_t> value;
    if (info[1].IsNumber()) value = uint64_t(info[1].As<Napi::Number>().DoubleValue());
    std::vector<GroupStamp> foreign;
    if (info[2].IsArray()) {
      auto a = info[2].As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); ++i) {
        auto o = a.Get(i).As<Napi::Object>();
        foreign.push_back(GroupStamp{o.Get("group").As<Napi::Number>().Uint32Value(),
                                     Stamp{uint64_t(o.Get("round").As<Napi::Number>().DoubleValue()),
                                           uint64_t(o.Get("value").As<Napi::Number>().DoubleValue())}});
      }
    }
    return guarded(env, [&] {
      core_->settle(image, value, foreign);
      return env.Undefined();
    });
  }
  // openRound(promised: number[])
  Napi::Value OpenRound(const Napi::CallbackInfo& info) {
    if (!info[0].IsArray()) throw_error(info.Env(), kArgError, "openRound(promised: number[])");
    auto a = info[0].As<Napi::Array>();
    std::vector<uint32_t> promised;
    for (uint32_t i = 0; i < a.Length(); ++i) promised.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
    return guarded(info.Env(), [&] {
      core_->open_round(promised);
      return info.Env().Undefined();
    });
  }
  Napi::Value SuspectClient(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      core_->suspect_client(info[0].As<Napi::Number>().Uint32Value());
      return info.Env().Undefined();
    });
  }
  Napi::Value Resync(const Napi::CallbackInfo& info) {
    core_->resync(info[0].As<Napi::Number>().Uint32Value());
    return info.Env().Undefined();
  }
  Napi::Value ReportJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Report r = core_->report(info[0].As<Napi::Number>().Uint32Value());
    auto msgs = Napi::Array::New(env, r.messages.size());
    for (uint32_t i = 0; i < r.messages.size(); ++i) {
      auto o = Napi::Object::New(env);
      o.Set("image", to_js(env, r.messages[i].image));
      o.Set("client", id_client(r.messages[i].id));
      o.Set("seq", id_seq(r.messages[i].id));
      auto stamps = Napi::Array::New(env, r.messages[i].stamps.size());
      for (uint32_t k = 0; k < r.messages[i].stamps.size(); ++k) {
        const GroupStamp& gs = r.messages[i].stamps[k];
        auto s = Napi::Object::New(env);
        s.Set("group", gs.group);
        s.Set("round", double(gs.stamp.round));
        s.Set("value", double(gs.stamp.value));
        stamps.Set(k, s);
      }
      o.Set("stamps", stamps);
      msgs.Set(i, o);
    }
    auto out = Napi::Object::New(env);
    out.Set("clock", r.clock);
    out.Set("messages", msgs);
    return out;
  }
  Napi::Value TakeEffects(const Napi::CallbackInfo& info) { return effects_js(info.Env(), core_->take_effects()); }
  Napi::Value DescribePending(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), core_->describe_pending());
  }
  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto o = Napi::Object::New(env);
    o.Set("round", double(core_->round()));
    o.Set("leader", core_->leader());
    o.Set("clock", core_->clock());
    const Stats& s = core_->stats();
    o.Set("fenced", double(s.fenced));
    o.Set("duplicates", double(s.duplicates));
    o.Set("malformed", double(s.malformed));
    o.Set("delivered", double(s.delivered));
    o.Set("overwrites", double(s.overwrites));
    return o;
  }

  std::unique_ptr<ServerCore> core_;
};

class ClientJs : public Napi::ObjectWrap<ClientJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RamcastClient",
                       {InstanceMethod<&ClientJs::Multicast>("multicast"),
                        InstanceMethod<&ClientJs::Landed>("landed"),
                        InstanceMethod<&ClientJs::SuspectServer>("suspectServer"),
                        InstanceMethod<&ClientJs::Queued>("queued"),
                        InstanceMethod<&ClientJs::TakeEffects>("takeEffects")});
  }

  explicit ClientJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClientJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsNumber())
      throw_error(env, kArgError, "new RamcastClient(config, self)");
    Topology t = topology_from(env, info[0].As<Napi::Object>());
    const uint32_t self = info[1].As<Napi::Number>().Uint32Value();
    guarded(env, [&] {
      core_ = std::make_unique<ClientCore>(std::move(t), self);
      return 0;
    });
  }

 private:
  // multicast(dst: number[], payload: Uint8Array): seq
  Napi::Value Multicast(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArray()) throw_error(env, kArgError, "multicast(dst: number[], payload: Uint8Array)");
    auto a = info[0].As<Napi::Array>();
    std::vector<uint16_t> dst;
    for (uint32_t i = 0; i < a.Length(); ++i) {
      const double g = a.Get(i).As<Napi::Number>().DoubleValue();
      if (!(g >= 0 && g < 65536)) throw_error(env, kArgError, "group ids are 0..65535");
      dst.push_back(uint16_t(g));
    }
    std::vector<uint8_t> payload = bytes_arg(env, info[1]);
    return guarded(env, [&] { return Napi::Number::New(env, core_->multicast(std::move(dst), std::move(payload))); });
  }
  Napi::Value Landed(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Region r = region_arg(env, info[1]);
    if (r != Region::kCredit) throw_error(env, kArgError, "a client only exposes its credit region");
    const uint32_t offset = info[2].As<Napi::Number>().Uint32Value();
    const std::vector<uint8_t> bytes = bytes_arg(env, info[3]);
    copy_landed(env, core_->region_data(), core_->region_size(), offset, bytes);
    core_->landed(info[0].As<Napi::Number>().Uint32Value(), r, offset, uint32_t(bytes.size()));
    return env.Undefined();
  }
  Napi::Value SuspectServer(const Napi::CallbackInfo& info) {
    core_->suspect_server(info[0].As<Napi::Number>().Uint32Value(), info[1].ToBoolean().Value());
    return info.Env().Undefined();
  }
  Napi::Value Queued(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(core_->queued())); }
  Napi::Value TakeEffects(const Napi::CallbackInfo& info) { return effects_js(info.Env(), core_->take_effects()); }

  std::unique_ptr<ClientCore> core_;
};

void InitRamcast(Napi::Env env, Napi::Object exports) {
  exports.Set("RamcastServer", ServerJs::Define(env));
  exports.Set("RamcastClient", ClientJs::Define(env));
  auto limits = Napi::Object::New(env);
  limits.Set("ringSlots", kRingSlots);
  limits.Set("slotBytes", kSlotBytes);
  limits.Set("maxPayloadBytes", kMaxPayloadBytes);
  limits.Set("maxDstGroups", kMaxDstGroups);
  limits.Set("maxGroupSize", kMaxGroupSize);
  limits.Set("ringRegionBytesPerClient", kRingSlots * kSlotBytes);
  exports.Set("limits", limits);
}

}  // namespace
}  // namespace castellan::ramcast

CASTELLAN_REGISTER_MODULE(ramcast, castellan::ramcast::InitRamcast);
