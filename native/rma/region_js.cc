// JS Region: new Region(backend, bytes, {provider, address}). Its memory is exposed as an
// external ArrayBuffer that holds a reference, so close() never unmaps under a live view.
#include "rma/backends.h"
#include "rma/rma_js.h"

namespace castellan {
namespace rma {
namespace {

// Identifies Region objects across worker threads (a per-process constructor reference would not).
constexpr napi_type_tag kRegionTag = {0x6361737465726d61ull, 0x726567696f6e0001ull};

class RegionJs : public Napi::ObjectWrap<RegionJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Region",
                       {InstanceMethod("grant", &RegionJs::GrantJs), InstanceMethod("revoke", &RegionJs::Revoke),
                        InstanceMethod("doorbell", &RegionJs::Doorbell), InstanceMethod("buffer", &RegionJs::Buffer),
                        InstanceMethod("doorbellView", &RegionJs::DoorbellView),
                        InstanceMethod("progress", &RegionJs::Progress),
                        InstanceMethod("close", &RegionJs::Close), InstanceAccessor("size", &RegionJs::Size, nullptr),
                        InstanceAccessor("backend", &RegionJs::BackendName, nullptr)});
  }

  explicit RegionJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RegionJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber())
      throw_error(env, "ERR_CASTELLAN_ARG", "new Region(backend: string, bytes: number, options?)");
    RegionOptions o;
    o.backend = guard(env, [&] { return backend_from_name(info[0].As<Napi::String>()); });
    double bytes = info[1].As<Napi::Number>().DoubleValue();
    if (!(bytes >= 1) || bytes != static_cast<double>(static_cast<uint64_t>(bytes)))
      throw_error(env, "ERR_CASTELLAN_ARG", "region size must be a positive integer number of bytes");
    o.bytes = static_cast<size_t>(bytes);
    if (info.Length() > 2 && info[2].IsObject()) {
      auto opts = info[2].As<Napi::Object>();
      if (opts.Has("provider")) o.provider = opts.Get("provider").ToString();
      if (opts.Has("address")) o.address = opts.Get("address").ToString();
    }
    region_ = guard(env, [&] { return std::shared_ptr<Region>(create_region(o)); });
    info.This().As<Napi::Object>().TypeTag(&kRegionTag);
  }

  std::shared_ptr<Region> region() const { return region_; }

 private:
  Napi::Value GrantJs(const Napi::CallbackInfo& info) {
    Grant g = guard(info.Env(), [&] { return region_->grant(); });
    Napi::Object out = Napi::Object::New(info.Env());
    out.Set("id", Napi::Number::New(info.Env(), g.id));
    out.Set("handle", Napi::Buffer<uint8_t>::Copy(info.Env(), g.handle.data(), g.handle.size()));
    return out;
  }
  void Revoke(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsNumber()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "revoke(grantId: number)");
    guard(info.Env(), [&] { region_->revoke(info[0].As<Napi::Number>().Uint32Value()); });
  }
  Napi::Value Doorbell(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), region_->doorbell()); }
  void Progress(const Napi::CallbackInfo&) { region_->progress(); }
  Napi::Value Buffer(const Napi::CallbackInfo& info) {
    return External(info.Env(), region_->base(), region_->size());
  }
  Napi::Value DoorbellView(const Napi::CallbackInfo& info) {
    auto* word = const_cast<uint32_t*>(region_->doorbell_word());
    return Napi::Uint32Array::New(info.Env(), 1, External(info.Env(), word, sizeof(uint32_t)), 0);
  }
  Napi::ArrayBuffer External(Napi::Env env, void* p, size_t n) {
    auto* keep = new std::shared_ptr<Region>(region_);
    return Napi::ArrayBuffer::New(env, p, n, [](Napi::Env, void*, std::shared_ptr<Region>* k) { delete k; }, keep);
  }
  void Close(const Napi::CallbackInfo& info) { guard(info.Env(), [&] { region_->close(); }); }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(region_->size())); }
  Napi::Value BackendName(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), backend_name(region_->backend()));
  }

  std::shared_ptr<Region> region_;
};

}  // namespace

std::shared_ptr<Region> unwrap_region(Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kRegionTag)) return nullptr;
  return RegionJs::Unwrap(value.As<Napi::Object>())->region();
}

void init_region_js(Napi::Env env, Napi::Object exports) {
  exports.Set("Region", RegionJs::Define(env));
  exports.Set("sweepStale", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                return Napi::Number::New(info.Env(), sweep_stale_segments());
              }));
  exports.Set("available", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
                Napi::Env e = info.Env();
                if (info.Length() < 1 || !info[0].IsString())
                  throw_error(e, "ERR_CASTELLAN_ARG", "available(backend, provider?)");
                Backend b = guard(e, [&] { return backend_from_name(info[0].As<Napi::String>()); });
                std::string why;
                bool ok = b == Backend::kFabric && info.Length() > 1 && info[1].IsString()
                              ? fabric_available(info[1].As<Napi::String>(), &why)
                              : backend_available(b, &why);
                Napi::Object out = Napi::Object::New(e);
                out.Set("ok", Napi::Boolean::New(e, ok));
                out.Set("reason", Napi::String::New(e, why));
                return out;
              }));
}

}  // namespace rma
}  // namespace castellan
