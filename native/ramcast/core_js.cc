// JS conversions of the RamCast cores (core_js.h).
#include "ramcast/core_js.h"

#include <cstring>
#include <string>

namespace castellan::ramcast {

Topology topology_from(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject()) throw_error(env, kArgError, "ramcast config must be an object");
  auto cfg = value.As<Napi::Object>();
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

namespace {

Napi::Array groups_js(Napi::Env env, const std::vector<uint16_t>& dst) {
  auto a = Napi::Array::New(env, dst.size());
  for (uint32_t i = 0; i < dst.size(); ++i) a.Set(i, dst[i]);
  return a;
}

uint32_t u32_arg(const Napi::CallbackInfo& info, size_t i, const char* usage) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_error(info.Env(), kArgError, usage);
  return info[i].As<Napi::Number>().Uint32Value();
}

uint64_t u64_arg(const Napi::CallbackInfo& info, size_t i, const char* usage) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_error(info.Env(), kArgError, usage);
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v != double(uint64_t(v))) throw_error(info.Env(), kArgError, usage);
  return uint64_t(v);
}

}  // namespace

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
  auto completed = Napi::Array::New(env, fx.completed.size());
  for (uint32_t i = 0; i < fx.completed.size(); ++i) completed.Set(i, fx.completed[i].seq);
  auto out = Napi::Object::New(env);
  out.Set("writes", writes);
  out.Set("deliveries", deliveries);
  out.Set("issued", issued);
  out.Set("completed", completed);
  return out;
}

MulticastArgs multicast_args(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray()) throw_error(env, kArgError, "multicast(dst: number[], payload: Uint8Array)");
  MulticastArgs out;
  auto a = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    const double g = a.Get(i).ToNumber().DoubleValue();
    if (!(g >= 0 && g < 65536) || g != double(uint32_t(g))) throw_error(env, kArgError, "group ids are integers 0..65535");
    out.dst.push_back(uint16_t(g));
  }
  out.payload = bytes_arg(env, info[1]);
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    const std::string w = info[2].ToString().Utf8Value();
    if (w == "none") out.await = Await::kNone;
    else if (w == "one") out.await = Await::kOne;
    else if (w == "quorum") out.await = Await::kQuorum;
    else if (w == "all") out.await = Await::kAll;
    else throw_error(env, kArgError, "await must be 'none', 'one', 'quorum' or 'all'");
  }
  return out;
}

namespace {

Napi::Value install_round(const Napi::CallbackInfo& info, ServerCore& core) {
  core.install_round(u64_arg(info, 0, "installRound(round: number)"));
  return info.Env().Undefined();
}

Napi::Value set_group_leader(const Napi::CallbackInfo& info, ServerCore& core) {
  const char* usage = "setGroupLeader(group: number, leader: number)";
  core.set_group_leader(u32_arg(info, 0, usage), u32_arg(info, 1, usage));
  return info.Env().Undefined();
}

Napi::Value observe_clock(const Napi::CallbackInfo& info, ServerCore& core) {
  core.observe_clock(u32_arg(info, 0, "observeClock(counter: number)"));
  return info.Env().Undefined();
}

// settle(image, value | null, foreign: {group, round, value}[])
Napi::Value settle(const Napi::CallbackInfo& info, ServerCore& core) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) throw_error(env, kArgError, "settle(image, value | null, foreign[])");
  const std::vector<uint8_t> image = bytes_arg(env, info[0]);
  std::optional<uint64_t> value;
  if (info[1].IsNumber()) value = u64_arg(info, 1, "settle: value must be a non-negative integer");
  std::vector<GroupStamp> foreign;
  if (info[2].IsArray()) {
    auto a = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); ++i) {
      if (!a.Get(i).IsObject()) throw_error(env, kArgError, "settle: foreign stamps are {group, round, value}");
      auto o = a.Get(i).As<Napi::Object>();
      foreign.push_back(GroupStamp{o.Get("group").ToNumber().Uint32Value(),
                                   Stamp{uint64_t(o.Get("round").ToNumber().DoubleValue()),
                                         uint64_t(o.Get("value").ToNumber().DoubleValue())}});
    }
  }
  core.settle(image, value, foreign);
  return env.Undefined();
}

// openRound(promised: number[])
Napi::Value open_round(const Napi::CallbackInfo& info, ServerCore& core) {
  if (info.Length() < 1 || !info[0].IsArray()) throw_error(info.Env(), kArgError, "openRound(promised: number[])");
  auto a = info[0].As<Napi::Array>();
  std::vector<uint32_t> promised;
  for (uint32_t i = 0; i < a.Length(); ++i) promised.push_back(a.Get(i).ToNumber().Uint32Value());
  core.open_round(promised);
  return info.Env().Undefined();
}

Napi::Value suspect_client(const Napi::CallbackInfo& info, ServerCore& core) {
  core.suspect_client(u32_arg(info, 0, "suspectClient(client: number)"));
  return info.Env().Undefined();
}

Napi::Value resync(const Napi::CallbackInfo& info, ServerCore& core) {
  core.resync(u32_arg(info, 0, "resync(node: number)"));
  return info.Env().Undefined();
}

Napi::Value report(const Napi::CallbackInfo& info, ServerCore& core) {
  Napi::Env env = info.Env();
  const Report r = core.report(u32_arg(info, 0, "report(group: number)"));
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

Napi::Value server_info(const Napi::CallbackInfo& info, ServerCore& core) {
  Napi::Env env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("round", double(core.round()));
  o.Set("leader", core.leader());
  o.Set("clock", core.clock());
  const Stats& s = core.stats();
  o.Set("fenced", double(s.fenced));
  o.Set("duplicates", double(s.duplicates));
  o.Set("malformed", double(s.malformed));
  o.Set("delivered", double(s.delivered));
  o.Set("overwrites", double(s.overwrites));
  return o;
}

Napi::Value describe_pending(const Napi::CallbackInfo& info, ServerCore& core) {
  return Napi::String::New(info.Env(), core.describe_pending());
}

Napi::Value suspect_server(const Napi::CallbackInfo& info, ClientCore& core) {
  core.suspect_server(u32_arg(info, 0, "suspectServer(node: number, suspected: boolean)"), info[1].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value queued(const Napi::CallbackInfo& info, ClientCore& core) { return Napi::Number::New(info.Env(), double(core.queued())); }
Napi::Value awaiting(const Napi::CallbackInfo& info, ClientCore& core) {
  return Napi::Number::New(info.Env(), double(core.awaiting()));
}
Napi::Value next_seq(const Napi::CallbackInfo& info, ClientCore& core) { return Napi::Number::New(info.Env(), core.next_seq()); }

}  // namespace

const std::vector<ServerCall>& server_calls() {
  static const std::vector<ServerCall> calls = {
      {"installRound", install_round}, {"setGroupLeader", set_group_leader}, {"observeClock", observe_clock},
      {"settle", settle},              {"openRound", open_round},            {"suspectClient", suspect_client},
      {"resync", resync},              {"report", report},                   {"info", server_info},
      {"describePending", describe_pending},
  };
  return calls;
}

const std::vector<ClientCall>& client_calls() {
  static const std::vector<ClientCall> calls = {
      {"suspectServer", suspect_server}, {"queued", queued}, {"awaiting", awaiting}, {"nextSeq", next_seq}};
  return calls;
}

}  // namespace castellan::ramcast
