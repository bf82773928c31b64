// Round-trip measurements for `castellan bench transport`, run natively on two pinned threads
// so that the JS-driven numbers have a floor measured in the same run:
//   floorRtt       raw C: two threads bounce a 64-byte message through one MAP_SHARED page
//                  with release/acquire stores, no library at all (rma.rtt_floor);
//   nativePollerRtt the same bounce through this library: Region + Connection::write +
//                  Poller::wait, as RamCast's native hot path uses it (rma.rtt,
//                  driver=native-poller). With spinUs=0 every wait sleeps in the kernel, so
//                  the difference to a spinning run is the futex wake-up cost.
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

#include "rma/rma_js.h"

namespace castellan {
namespace rma {
namespace {

constexpr size_t kMessageBytes = 64;
constexpr int kWarmupRounds = 1000;
constexpr int64_t kWaitSliceUs = 100 * 1000;  // a waiting side checks this often whether the other failed

double now_us() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct alignas(64) FloorSide {
  std::atomic<uint32_t> seq;
  uint8_t payload[kMessageBytes];
};

// Both measurements run their two sides the same way: on two new threads pinned to the
// first two CPUs this process may use (unpinned if it may use only one), so the floor and
// the library path see the same core placement, and a futex wake-up cannot move both sides
// onto one core (the scheduler puts a wakee beside its waker when the other core is busy).
// A side that fails sets `failed`, which the other side checks while it waits, and its
// exception is rethrown here.
template <typename Initiator, typename Echo>
void run_pinned_pair(std::atomic<bool>& failed, Initiator&& initiator, Echo&& echo) {
  cpu_set_t allowed;
  int cpus[2] = {-1, -1};
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
    for (int c = 0, n = 0; c < CPU_SETSIZE && n < 2; ++c)
      if (CPU_ISSET(c, &allowed)) cpus[n++] = c;
  std::exception_ptr errors[2];
  auto side = [&](int i, auto& body) {
    return std::thread([&, i] {
      if (cpus[1] >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpus[i], &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
      }
      try {
        body();
      } catch (...) {
        errors[i] = std::current_exception();
        failed.store(true);
      }
    });
  };
  std::thread a = side(0, initiator);
  std::thread b = side(1, echo);
  a.join();
  b.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

[[noreturn]] void other_side_failed() { throw RmaError("ERR_CASTELLAN_RMA_BENCH", "the other side of the round trip failed"); }

double floor_rtt(int rounds) {
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) throw RmaError("ERR_CASTELLAN_RMA_SYS", "mmap failed");
  auto* sides = new (page) FloorSide[2]();
  const uint32_t total = uint32_t(rounds + kWarmupRounds);
  double elapsed = 0;
  std::atomic<bool> failed{false};
  run_pinned_pair(
      failed,
      [&] {
        uint8_t msg[kMessageBytes] = {1};
        double start = 0;
        for (uint32_t i = 1; i <= total; ++i) {
          if (i == uint32_t(kWarmupRounds) + 1) start = now_us();
          std::memcpy(sides[0].payload, msg, kMessageBytes);
          sides[0].seq.store(i, std::memory_order_release);
          while (sides[1].seq.load(std::memory_order_acquire) != i) {
          }
        }
        elapsed = now_us() - start;
      },
      [&] {
        uint8_t buf[kMessageBytes];
        for (uint32_t i = 1; i <= total; ++i) {
          while (sides[0].seq.load(std::memory_order_acquire) != i) {
          }
          std::memcpy(buf, sides[0].payload, kMessageBytes);
          std::memcpy(sides[1].payload, buf, kMessageBytes);
          sides[1].seq.store(i, std::memory_order_release);
        }
      });
  munmap(page, 4096);
  return elapsed / rounds;
}

double native_poller_rtt(Backend backend, int rounds, uint32_t spin_us, const std::string& provider) {
  RegionOptions o;
  o.backend = backend;
  o.bytes = 4096;
  if (!provider.empty()) o.provider = provider;
  auto a = create_region(o);
  auto b = create_region(o);
  auto to_b = connect(b->grant().handle);
  auto to_a = connect(a->grant().handle);
  const int total = rounds + kWarmupRounds;
  // Both watches start before the first write, so neither side misses the other's first ring.
  Poller echo_poller({spin_us});
  echo_poller.watch(b.get());
  Poller poller({spin_us});
  poller.watch(a.get());
  std::atomic<bool> failed{false};
  auto await = [&](Poller& p, std::vector<int>& ready) {
    while (p.wait(kWaitSliceUs, ready) == 0)
      if (failed.load()) other_side_failed();
  };
  double elapsed = 0;
  run_pinned_pair(
      failed,
      [&] {
        std::vector<int> ready;
        uint8_t msg[kMessageBytes] = {1};
        double start = 0;
        for (int i = 0; i < total; ++i) {
          if (i == kWarmupRounds) start = now_us();
          to_b->write(0, msg, kMessageBytes);
          await(poller, ready);
        }
        elapsed = now_us() - start;
      },
      [&] {
        std::vector<int> ready;
        uint8_t buf[kMessageBytes];
        for (int i = 0; i < total; ++i) {
          await(echo_poller, ready);
          std::memcpy(buf, b->base(), kMessageBytes);
          to_a->write(0, buf, kMessageBytes);
        }
      });
  return elapsed / rounds;
}

int rounds_arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "rounds must be a number");
  int r = info[i].As<Napi::Number>().Int32Value();
  if (r < 1) throw_error(info.Env(), "ERR_CASTELLAN_ARG", "rounds must be positive");
  return r;
}

}  // namespace

void init_bench_js(Napi::Env env, Napi::Object exports) {
  exports.Set("floorRtt", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                int rounds = rounds_arg(info, 0);
                return Napi::Number::New(info.Env(), guard(info.Env(), [&] { return floor_rtt(rounds); }));
              }));
  // nativePollerRtt(backend, rounds, spinUs, provider?)
  exports.Set("nativePollerRtt", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
                Napi::Env e = info.Env();
                if (!info[0].IsString())
                  throw_error(e, "ERR_CASTELLAN_ARG", "nativePollerRtt(backend, rounds, spinUs, provider?)");
                int rounds = rounds_arg(info, 1);
                uint32_t spin = info.Length() > 2 ? info[2].ToNumber().Uint32Value() : PollerOptions{}.spin_us;
                std::string provider = info.Length() > 3 && info[3].IsString() ? std::string(info[3].As<Napi::String>()) : "";
                return Napi::Number::New(e, guard(e, [&] {
                                           return native_poller_rtt(backend_from_name(info[0].As<Napi::String>()), rounds,
                                                                    spin, provider);
                                         }));
              }));
}

}  // namespace rma
}  // namespace castellan
