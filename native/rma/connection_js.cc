// JS Connection: rma.connect(handle) → write(offset, bytes), read(offset, length),
// peerAlive(), close(). Writes are synchronous: when write() returns the bytes are in the
// peer's region and its doorbell has moved.
#include "rma/rma_js.h"
#include "rma/shm_backend.h"

namespace castellan {
namespace rma {
namespace {

uint64_t offset_arg(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 2 || !info[0].IsNumber()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", usage);
  double off = info[0].As<Napi::Number>().DoubleValue();
  if (!(off >= 0) || off != static_cast<double>(static_cast<uint64_t>(off)))
    throw_error(info.Env(), "ERR_CASTELLAN_ARG", "offset must be a non-negative integer");
  return static_cast<uint64_t>(off);
}

size_t typed_array_element_bytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;  // float64, bigint64, biguint64
  }
}

class ConnectionJs : public Napi::ObjectWrap<ConnectionJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Connection",
                       {InstanceMethod("write", &ConnectionJs::Write), InstanceMethod("read", &ConnectionJs::Read),
                        InstanceMethod("peerAlive", &ConnectionJs::PeerAlive),
                        InstanceMethod("shmAliasBytes", &ConnectionJs::ShmAliasBytes),
                        InstanceMethod("aliasInto", &ConnectionJs::AliasInto),
                        InstanceMethod("dropAlias", &ConnectionJs::DropAlias),
                        InstanceMethod("wake", &ConnectionJs::Wake),
                        InstanceMethod("close", &ConnectionJs::Close),
                        InstanceAccessor("size", &ConnectionJs::Size, nullptr)});
  }

  explicit ConnectionJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ConnectionJs>(info) {
    if (info.Length() < 1 || !info[0].IsTypedArray())
      throw_error(info.Env(), "ERR_CASTELLAN_ARG", "connect(handle: Uint8Array)");
    auto h = info[0].As<Napi::Uint8Array>();
    conn_ = guard(info.Env(), [&] { return connect(h.Data(), h.ByteLength()); });
  }

 private:
  Connection& conn(Napi::Env env) {
    if (!conn_) throw_error(env, "ERR_CASTELLAN_RMA_CLOSED", "connection is closed");
    return *conn_;
  }
  // The hot path of JS-driven RamCast: two N-API calls past the method dispatch (the offset,
  // then the typed array's pointer and length in one go), not node-addon-api's five.
  void Write(const Napi::CallbackInfo& info) {
    napi_env env = info.Env();
    double off = -1;
    napi_typedarray_type type;
    size_t elements = 0;
    void* data = nullptr;
    if (info.Length() < 2 || napi_get_value_double(env, info[0], &off) != napi_ok ||
        napi_get_typedarray_info(env, info[1], &type, &elements, &data, nullptr, nullptr) != napi_ok)
      throw_error(info.Env(), "ERR_CASTELLAN_ARG", "write(offset: number, bytes: Uint8Array)");
    if (!(off >= 0) || off != static_cast<double>(static_cast<uint64_t>(off)))
      throw_error(info.Env(), "ERR_CASTELLAN_ARG", "offset must be a non-negative integer");
    size_t len = elements * typed_array_element_bytes(type);
    guard(info.Env(), [&] { conn(info.Env()).write(static_cast<uint64_t>(off), data, len); });
  }
  Napi::Value Read(const Napi::CallbackInfo& info) {
    uint64_t off = offset_arg(info, "read(offset: number, length: number)");
    if (!info[1].IsNumber()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "read(offset, length: number)");
    double len = info[1].As<Napi::Number>().DoubleValue();
    if (!(len >= 0) || len > double(conn(info.Env()).size()))
      throw_error(info.Env(), "ERR_CASTELLAN_RMA_BOUNDS", "read length exceeds the region");
    auto out = Napi::Buffer<uint8_t>::New(info.Env(), static_cast<size_t>(len));
    guard(info.Env(), [&] { conn(info.Env()).read(off, out.Data(), out.Length()); });
    return out;
  }
  // For shm: the bytes an alias of the peer's segment spans, or null (not shm, or closed).
  Napi::Value ShmAliasBytes(const Napi::CallbackInfo& info) {
    ShmWriterView v;
    if (!conn_ || !shm_writer_view(*conn_, &v)) return info.Env().Null();
    return Napi::Number::New(info.Env(), double(v.segment->alias_bytes()));
  }
  // aliasInto(buffer): maps the peer's segment at the start of `buffer` (a WebAssembly
  // memory's, src/rma/shm-writer.ts) and returns what the wasm gate needs: byte addresses of
  // state, doorbell, sleepers and this grant's busy count and key halves in the alias, where
  // the data starts, and the values to compare with. Null when the alias cannot be made.
  Napi::Value AliasInto(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArrayBuffer()) throw_error(env, "ERR_CASTELLAN_ARG", "aliasInto(buffer: ArrayBuffer)");
    auto buffer = info[0].As<Napi::ArrayBuffer>();
    ShmWriterView v;
    if (!conn_ || !shm_writer_view(*conn_, &v) || !v.segment->alias_into(buffer.Data(), buffer.ByteLength())) return env.Null();
    ShmHeader* h = v.segment->header();
    auto at = [h](const void* p) { return double(static_cast<const uint8_t*>(p) - reinterpret_cast<const uint8_t*>(h)); };
    Napi::Object out = Napi::Object::New(env);
    out.Set("state", at(&h->state));
    out.Set("doorbell", at(&h->doorbell));
    out.Set("sleepers", at(&h->sleepers));
    out.Set("busy", at(&h->grants[v.slot].busy));
    out.Set("keyLow", at(&h->grants[v.slot].key));  // little-endian: the low half first
    out.Set("keyHigh", at(&h->grants[v.slot].key) + 4);
    out.Set("data", double(kShmHeaderBytes));
    out.Set("open", double(kShmOpen));
    out.Set("grantLow", double(uint32_t(v.key)));
    out.Set("grantHigh", double(uint32_t(v.key >> 32)));
    return out;
  }
  // dropAlias(buffer): zero private pages where aliasInto mapped the segment, so the memory
  // no longer reaches the peer. The caller passes the buffer it still holds: a collected
  // wasm memory is unmapped by V8 along with the alias.
  void DropAlias(const Napi::CallbackInfo& info) {
    if (info.Length() < 1 || !info[0].IsArrayBuffer()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "dropAlias(buffer: ArrayBuffer)");
    auto buffer = info[0].As<Napi::ArrayBuffer>();
    ShmWriterView v;
    if (!conn_ || !shm_writer_view(*conn_, &v)) return;
    size_t bytes = v.segment->alias_bytes();
    if (buffer.ByteLength() >= bytes) ShmSegment::drop_alias(buffer.Data(), bytes);
  }
  void Wake(const Napi::CallbackInfo&) {
    ShmWriterView v;
    if (conn_ && shm_writer_view(*conn_, &v)) shm_wake_pollers(*v.segment);
  }
  Napi::Value PeerAlive(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), conn_ && guard(info.Env(), [&] { return conn_->peer_alive(); }));
  }
  void Close(const Napi::CallbackInfo& info) {
    if (conn_) guard(info.Env(), [&] { conn_->close(); });
    conn_.reset();
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), conn_ ? double(conn_->size()) : 0);
  }

  std::unique_ptr<Connection> conn_;
};

}  // namespace

void init_connection_js(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = ConnectionJs::Define(env);
  auto* ref = new Napi::FunctionReference(Napi::Persistent(ctor));
  exports.Set("Connection", ctor);
  exports.Set("connect", Napi::Function::New(env, [ref](const Napi::CallbackInfo& info) -> Napi::Value {
                std::vector<napi_value> args(info.Length());
                for (size_t i = 0; i < info.Length(); ++i) args[i] = info[i];
                return ref->New(args);
              }));
}

}  // namespace rma
}  // namespace castellan
