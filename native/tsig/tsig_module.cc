// binding.tsig: the JS face of the threshold RSA subsystem. Arguments are copied out of JS
// here, on the main thread; the computations (keygen.cc, partial.cc, verify_share.cc,
// combine.cc) never touch a JS value, so each runs as a Promise or synchronously
// (async_job.h).
#include <napi.h>

#include "common/errors.h"
#include "common/module_registry.h"
#include "tsig/async_job.h"
#include "tsig/combine.h"
#include "tsig/key.h"
#include "tsig/keygen.h"
#include "tsig/partial.h"
#include "tsig/verify_share.h"

namespace castellan::tsig {
namespace {

constexpr const char* kErrArg = "ERR_CASTELLAN_ARG";

Bytes bytes_of(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw_error(env, kErrArg, std::string(name) + " must be a Uint8Array");
  auto a = v.As<Napi::Uint8Array>();
  return Bytes(a.Data(), a.Data() + a.ByteLength());
}

int int_of(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throw_error(env, kErrArg, std::string(name) + " must be an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int>(d))) throw_error(env, kErrArg, std::string(name) + " must be an integer");
  return static_cast<int>(d);
}

Napi::Value arg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? info[i] : info.Env().Undefined(); }

Napi::Value field(Napi::Env env, const Napi::Object& o, const char* name) {
  if (!o.Has(name)) throw_error(env, kErrArg, std::string("key is missing ") + name);
  return o.Get(name);
}

Napi::Uint8Array js_bytes(Napi::Env env, const Bytes& b) {
  auto out = Napi::Uint8Array::New(env, b.size());
  std::copy(b.begin(), b.end(), out.Data());
  return out;
}

Napi::Array js_byte_list(Napi::Env env, const std::vector<Bytes>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) out.Set(static_cast<uint32_t>(i), js_bytes(env, list[i]));
  return out;
}

std::vector<Bytes> byte_list_of(Napi::Env env, const Napi::Value& v, const char* name) {
  if (!v.IsArray()) throw_error(env, kErrArg, std::string(name) + " must be an array of Uint8Array");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<Bytes> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(bytes_of(env, a.Get(i), name));
  return out;
}

Napi::Value bytes_to_js(Napi::Env env, const Bytes& b) { return js_bytes(env, b); }
Napi::Value bool_to_js(Napi::Env env, const bool& b) { return Napi::Boolean::New(env, b); }

Napi::Value key_material_to_js(Napi::Env env, const KeyMaterial& k) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", js_bytes(env, k.n));
  o.Set("e", js_bytes(env, k.e));
  o.Set("v", js_bytes(env, k.v));
  o.Set("verificationKeys", js_byte_list(env, k.verification_keys));
  o.Set("shares", js_byte_list(env, k.shares));
  return o;
}

Napi::Value partial_to_js(Napi::Env env, const PartialSignature& p) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("xi", js_bytes(env, p.x_i));
  o.Set("c", js_bytes(env, p.c));
  o.Set("z", js_bytes(env, p.z));
  return o;
}

Napi::Value combine_to_js(Napi::Env env, const CombineResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ok", Napi::Boolean::New(env, r.ok));
  o.Set("signature", js_bytes(env, r.signature));
  return o;
}

// generateSafePrime(bits): Promise<Uint8Array>
Napi::Value GenerateSafePrime(const Napi::CallbackInfo& info) {
  int bits = int_of(info.Env(), arg(info, 0), "bits");
  return run_job<Bytes>(info.Env(), true, [bits] { return generate_safe_prime(bits); }, bytes_to_js);
}

// deal(p, q, parties, threshold): Promise<{ n, e, v, verificationKeys, shares }>
Napi::Value Deal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Bytes p = bytes_of(env, arg(info, 0), "p"), q = bytes_of(env, arg(info, 1), "q");
  int parties = int_of(env, arg(info, 2), "parties"), threshold = int_of(env, arg(info, 3), "threshold");
  return run_job<KeyMaterial>(env, true, [p, q, parties, threshold] { return deal(p, q, parties, threshold); },
                              key_material_to_js);
}

// new Key({ parties, threshold, n, e, v, verificationKeys, party?, share? })
class KeyWrap : public Napi::ObjectWrap<KeyWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Key",
                       {InstanceMethod<&KeyWrap::PartialSign<true>>("partialSign"),
                        InstanceMethod<&KeyWrap::PartialSign<false>>("partialSignSync"),
                        InstanceMethod<&KeyWrap::VerifyShare<true>>("verifyShare"),
                        InstanceMethod<&KeyWrap::VerifyShare<false>>("verifyShareSync"),
                        InstanceMethod<&KeyWrap::Combine<true>>("combine"),
                        InstanceMethod<&KeyWrap::Combine<false>>("combineSync"),
                        InstanceMethod<&KeyWrap::Verify<true>>("verify"),
                        InstanceMethod<&KeyWrap::Verify<false>>("verifySync"),
                        InstanceMethod<&KeyWrap::ModexpSecretSync>("modexpSecretSync"),
                        InstanceAccessor<&KeyWrap::ModulusBits>("modulusBits")});
  }

  explicit KeyWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<KeyWrap>(info) {
    Napi::Env env = info.Env();
    if (!arg(info, 0).IsObject()) throw_error(env, kErrArg, "Key expects a key object");
    Napi::Object o = info[0].As<Napi::Object>();
    PublicParams p;
    p.parties = int_of(env, field(env, o, "parties"), "parties");
    p.threshold = int_of(env, field(env, o, "threshold"), "threshold");
    p.n = bytes_of(env, field(env, o, "n"), "n");
    p.e = bytes_of(env, field(env, o, "e"), "e");
    p.v = bytes_of(env, field(env, o, "v"), "v");
    p.verification_keys = byte_list_of(env, field(env, o, "verificationKeys"), "verificationKeys");
    int party = 0;
    Bytes share;
    if (o.Has("party") && !o.Get("party").IsUndefined()) {
      party = int_of(env, o.Get("party"), "party");
      share = bytes_of(env, field(env, o, "share"), "share");
    }
    key_ = guard(env, [&] { return std::make_shared<const ThresholdKey>(p, party, share); });
  }

 private:
  template <bool Async>
  Napi::Value PartialSign(const Napi::CallbackInfo& info) {
    Bytes message = bytes_of(info.Env(), arg(info, 0), "message");
    auto key = key_;
    return run_job<PartialSignature>(info.Env(), Async, [key, message] { return partial_sign(*key, message); },
                                     partial_to_js);
  }

  template <bool Async>
  Napi::Value VerifyShare(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Bytes message = bytes_of(env, arg(info, 0), "message");
    int party = int_of(env, arg(info, 1), "party");
    Bytes x_i = bytes_of(env, arg(info, 2), "xi"), c = bytes_of(env, arg(info, 3), "c"), z = bytes_of(env, arg(info, 4), "z");
    auto key = key_;
    return run_job<bool>(env, Async, [key, message, party, x_i, c, z] { return verify_share(*key, message, party, x_i, c, z); },
                         bool_to_js);
  }

  template <bool Async>
  Napi::Value Combine(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Bytes message = bytes_of(env, arg(info, 0), "message");
    if (!arg(info, 1).IsArray()) throw_error(env, kErrArg, "parties must be an array of integers");
    Napi::Array list = info[1].As<Napi::Array>();
    std::vector<int> parties;
    for (uint32_t i = 0; i < list.Length(); ++i) parties.push_back(int_of(env, list.Get(i), "party"));
    std::vector<Bytes> shares = byte_list_of(env, arg(info, 2), "shares");
    auto key = key_;
    return run_job<CombineResult>(env, Async, [key, message, parties, shares] { return combine(*key, message, parties, shares); },
                                  combine_to_js);
  }

  template <bool Async>
  Napi::Value Verify(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Bytes message = bytes_of(env, arg(info, 0), "message"), signature = bytes_of(env, arg(info, 1), "signature");
    auto key = key_;
    return run_job<bool>(env, Async, [key, message, signature] { return verify_signature(*key, message, signature); },
                         bool_to_js);
  }

  // base^exponent mod n on the constant-time path shares use: the benchmark's floor
  // (`modexp.full`), measured through the same binding overhead as a partial signature.
  Napi::Value ModexpSecretSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Bytes base = bytes_of(env, arg(info, 0), "base"), exponent = bytes_of(env, arg(info, 1), "exponent");
    auto key = key_;
    return run_job<Bytes>(env, false,
                          [key, base, exponent] {
                            BnCtx ctx = ctx_new();
                            Bn b = bn_from_bytes(base), p = bn_from_bytes(exponent), r = bn_new();
                            mod_exp_secret(r.get(), b.get(), p.get(), key->n(), key->mont(), ctx.get());
                            return bn_to_bytes(r.get(), key->modulus_bytes());
                          },
                          bytes_to_js);
  }

  Napi::Value ModulusBits(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), key_->modulus_bits()); }

  std::shared_ptr<const ThresholdKey> key_;
};

void InitTsig(Napi::Env env, Napi::Object exports) {
  exports.Set("generateSafePrime", Napi::Function::New(env, GenerateSafePrime, "generateSafePrime"));
  exports.Set("deal", Napi::Function::New(env, Deal, "deal"));
  exports.Set("Key", KeyWrap::Define(env));
}

}  // namespace
}  // namespace castellan::tsig

CASTELLAN_REGISTER_MODULE(tsig, castellan::tsig::InitTsig);
