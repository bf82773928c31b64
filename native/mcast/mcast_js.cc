// binding.mcast.Socket: the JS face of McastSocket. Received batches reach JS through a
// ThreadSafeFunction as (payload: Buffer, meta: Uint32Array of [length, srcIPv4, srcPort]
// triples); when the callback returns, the batch counts as consumed (back-pressure).
#include <arpa/inet.h>
#include <napi.h>

#include <cstring>
#include <memory>

#include "common/errors.h"
#include "common/module_registry.h"
#include "mcast/mcast_socket.h"

namespace castellan {
namespace mcast {
namespace {

std::string opt_string(Napi::Object o, const char* key, const std::string& fallback) {
  return o.Has(key) && !o.Get(key).IsUndefined() ? o.Get(key).ToString().Utf8Value() : fallback;
}

class SocketJs : public Napi::ObjectWrap<SocketJs> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Socket",
                       {InstanceMethod("join", &SocketJs::Join), InstanceMethod("leave", &SocketJs::Leave),
                        InstanceMethod("send", &SocketJs::Send), InstanceMethod("stats", &SocketJs::StatsJs),
                        InstanceMethod("close", &SocketJs::Close), InstanceMethod("ref", &SocketJs::Ref),
                        InstanceMethod("unref", &SocketJs::Unref),
                        InstanceAccessor("port", &SocketJs::Port, nullptr)});
  }

  explicit SocketJs(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SocketJs>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsFunction())
      throw_error(env, "ERR_CASTELLAN_ARG", "new Socket(options, onBatch(payload, meta))");
    auto o = info[0].As<Napi::Object>();
    SocketOptions so;
    if (o.Has("port")) so.port = static_cast<uint16_t>(o.Get("port").ToNumber().Uint32Value());
    so.bind_address = opt_string(o, "bindAddress", so.bind_address);
    so.interface_address = opt_string(o, "interfaceAddress", "");
    if (o.Has("ttl")) so.ttl = o.Get("ttl").ToNumber().Int32Value();
    if (o.Has("loopback")) so.loopback = o.Get("loopback").ToBoolean();
    if (o.Has("queuedMax")) so.queued_max = o.Get("queuedMax").ToNumber().Uint32Value();
    if (o.Has("datagramMax")) so.datagram_max = o.Get("datagramMax").ToNumber().Uint32Value();
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "castellan.mcast.recv", 0, 1);
    auto self = std::make_shared<std::weak_ptr<McastSocket>>();
    // The TSFN keeps the loop alive: if the socket cannot open, release it before throwing.
    try {
      socket_ = make_socket(env, so, self);
    } catch (...) {
      tsfn_.Release();
      throw;
    }
    *self = socket_;
  }
  ~SocketJs() override { shutdown(); }

 private:
  std::shared_ptr<McastSocket> make_socket(Napi::Env env, const SocketOptions& so,
                                           std::shared_ptr<std::weak_ptr<McastSocket>> self) {
    auto tsfn = tsfn_;
    return guard(env, [&] {
      return std::make_shared<McastSocket>(so, [tsfn, self](Batch&& b) mutable {
        auto* batch = new Batch(std::move(b));
        auto weak = *self;
        napi_status st = tsfn.NonBlockingCall(batch, [weak](Napi::Env env, Napi::Function cb, Batch* raw) {
          std::unique_ptr<Batch> own(raw);
          size_t n = own->count();
          auto payload = Napi::Buffer<uint8_t>::Copy(env, own->payload.data(), own->payload.size());
          auto meta = Napi::Uint32Array::New(env, own->meta.size());
          std::memcpy(meta.Data(), own->meta.data(), own->meta.size() * sizeof(uint32_t));
          try {
            cb.Call({payload, meta});
          } catch (...) {
            if (auto s = weak.lock()) s->consumed(n);
            throw;
          }
          if (auto s = weak.lock()) s->consumed(n);
        });
        if (st != napi_ok) delete batch;
      });
    });
  }
  McastSocket& socket(Napi::Env env) {
    if (!socket_) throw_error(env, "ERR_CASTELLAN_MCAST_CLOSED", "socket is closed");
    return *socket_;
  }
  void Join(const Napi::CallbackInfo& info) {
    std::string ifa = info.Length() > 1 && info[1].IsString() ? info[1].ToString().Utf8Value() : "";
    guard(info.Env(), [&] { socket(info.Env()).join(info[0].ToString(), ifa); });
  }
  void Leave(const Napi::CallbackInfo& info) {
    std::string ifa = info.Length() > 1 && info[1].IsString() ? info[1].ToString().Utf8Value() : "";
    guard(info.Env(), [&] { socket(info.Env()).leave(info[0].ToString(), ifa); });
  }
  // send(address, port, datagrams: Uint8Array[]) → number sent (sendmmsg batches)
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsArray())
      throw_error(env, "ERR_CASTELLAN_ARG", "send(address: string, port: number, datagrams: Uint8Array[])");
    sockaddr_in to = guard(env, [&] {
      return parse_ipv4(info[0].ToString(), static_cast<uint16_t>(info[1].ToNumber().Uint32Value()));
    });
    auto list = info[2].As<Napi::Array>();
    std::vector<std::pair<const uint8_t*, size_t>> datagrams;
    datagrams.reserve(list.Length());
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value v = list.Get(i);
      if (!v.IsTypedArray()) throw_error(env, "ERR_CASTELLAN_ARG", "datagrams must be Uint8Arrays");
      auto t = v.As<Napi::TypedArray>();
      if (t.ByteLength() > kDatagramBytesMax)
        throw_error(env, "ERR_CASTELLAN_MCAST_ARG", "datagram of " + std::to_string(t.ByteLength()) + " bytes exceeds the UDP maximum");
      datagrams.emplace_back(static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength());
    }
    return Napi::Number::New(env, double(guard(env, [&] { return socket(env).send(to, datagrams); })));
  }
  Napi::Value StatsJs(const Napi::CallbackInfo& info) {
    Stats s = socket_ ? socket_->stats() : last_;
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("received", double(s.received));
    o.Set("batches", double(s.batches));
    o.Set("kernelDrops", double(s.kernel_drops));
    o.Set("truncated", double(s.truncated));
    o.Set("paused", double(s.paused));
    o.Set("sent", double(s.sent));
    o.Set("sendErrors", double(s.send_errors));
    return o;
  }
  Napi::Value Port(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), socket_ ? socket_->local_port() : 0);
  }
  void Ref(const Napi::CallbackInfo& info) {
    if (socket_) tsfn_.Ref(info.Env());
  }
  void Unref(const Napi::CallbackInfo& info) {
    if (socket_) tsfn_.Unref(info.Env());
  }
  void Close(const Napi::CallbackInfo&) { shutdown(); }
  void shutdown() {
    if (!socket_) return;
    socket_->close();
    last_ = socket_->stats();
    socket_.reset();
    tsfn_.Release();
  }

  std::shared_ptr<McastSocket> socket_;
  Napi::ThreadSafeFunction tsfn_;
  Stats last_;
};

void InitMcast(Napi::Env env, Napi::Object exports) { exports.Set("Socket", SocketJs::Define(env)); }

}  // namespace
}  // namespace mcast
}  // namespace castellan

CASTELLAN_REGISTER_MODULE(mcast, castellan::mcast::InitMcast);
