// Spin-then-wait polling of local regions (the receiver side of spec/ramcast.md §3: a
// process polls its rings). On a 2-core machine an idle poller must not burn a core, so it
// spins only for options.spin_us and then sleeps in the kernel: futex_waitv over every shm
// doorbell at once (the writer pays a FUTEX_WAKE only when the sleeper count is non-zero),
// or, for backends whose writers cannot wake us (verbs, fabric), a growing bounded sleep.
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "rma/clock.h"
#include "rma/rma.h"

namespace castellan {
namespace rma {
namespace {

constexpr int64_t kBackoffMinNs = 10 * 1000;       // first sleep of a non-wakeable poll
constexpr int64_t kBackoffMaxNs = 1000 * 1000;     // 1 ms: the worst extra latency we accept
constexpr int64_t kFallbackFutexMaxNs = 1000 * 1000;  // without futex_waitv: re-scan every 1 ms
constexpr uint32_t kScansPerClockRead = 32;  // a scan is a few ns; clock_gettime costs several scans
constexpr int64_t kTightSpinNs = 5 * 1000;    // spin without yielding this long: a local round trip

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

bool futex_waitv_supported = true;

}  // namespace

Poller::Poller(PollerOptions options) : options_(options) {}

int Poller::watch(Region* region) {
  if (!region) throw RmaError("ERR_CASTELLAN_RMA_ARG", "watch needs a region");
  Watch w{region, region->doorbell()};
  for (size_t i = 0; i < watches_.size(); ++i)
    if (!watches_[i].region) {
      watches_[i] = w;
      return static_cast<int>(i);
    }
  if (watches_.size() >= FUTEX_WAITV_MAX)
    throw RmaError("ERR_CASTELLAN_RMA_ARG", "a poller watches at most " + std::to_string(FUTEX_WAITV_MAX) + " regions");
  watches_.push_back(w);
  return static_cast<int>(watches_.size() - 1);
}

void Poller::unwatch(int slot) {
  if (slot >= 0 && size_t(slot) < watches_.size()) watches_[slot].region = nullptr;
}

bool Poller::scan(std::vector<int>& ready) {
  for (size_t i = 0; i < watches_.size(); ++i) {
    Watch& w = watches_[i];
    if (!w.region) continue;
    w.region->progress();
    uint32_t now = w.region->doorbell();
    if (now != w.seen) {
      w.seen = now;
      ready.push_back(static_cast<int>(i));
    }
  }
  return !ready.empty();
}

bool Poller::sleep_once(int64_t deadline_ns) {
  bool wakeable = true;
  size_t n = 0;
  for (auto& w : watches_)
    if (w.region) {
      ++n;
      wakeable = wakeable && w.region->futex_wakeable();
    }
  int64_t remaining = deadline_ns < 0 ? INT64_MAX : deadline_ns - monotonic_ns();
  if (remaining <= 0) return false;
  ++sleeps_;
  if (n == 0 || !wakeable) {
    backoff_ns_ = std::clamp(backoff_ns_ * 2, kBackoffMinNs, kBackoffMaxNs);
    int64_t ns = std::min(remaining, backoff_ns_);
    timespec ts{time_t(ns / 1000000000), long(ns % 1000000000)};
    nanosleep(&ts, nullptr);
    return true;
  }
  futex_waitv waiters[FUTEX_WAITV_MAX];
  size_t k = 0;
  for (auto& w : watches_)
    if (w.region) {
      w.region->add_sleeper(1);
      waiters[k++] = futex_waitv{w.seen, reinterpret_cast<uint64_t>(w.region->doorbell_word()), FUTEX_32, 0};
    }
  // Announce the sleep before the last look (Dekker with the writer's doorbell increment
  // then sleepers read): a write that lands now either is seen here or wakes the futex.
  bool moved = false;
  for (auto& w : watches_)
    if (w.region && w.region->doorbell() != w.seen) moved = true;
  if (!moved) {
    if (futex_waitv_supported) {
      int64_t at = deadline_ns < 0 ? -1 : deadline_ns;
      timespec abs{time_t(at / 1000000000), long(at % 1000000000)};
      long rc = syscall(SYS_futex_waitv, waiters, k, 0, at < 0 ? nullptr : &abs, CLOCK_MONOTONIC);
      if (rc < 0 && errno == ENOSYS) futex_waitv_supported = false;
    }
    if (!futex_waitv_supported) {  // old kernel: wait on the first doorbell, re-scan often
      int64_t ns = std::min(remaining, kFallbackFutexMaxNs);
      timespec rel{time_t(ns / 1000000000), long(ns % 1000000000)};
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(waiters[0].uaddr), FUTEX_WAIT, uint32_t(waiters[0].val), &rel,
              nullptr, 0);
    }
  }
  for (auto& w : watches_)
    if (w.region) w.region->add_sleeper(-1);
  return true;
}

size_t Poller::wait(int64_t timeout_us, std::vector<int>& ready) {
  ready.clear();
  if (scan(ready)) {  // already written: no clock read at all
    backoff_ns_ = 0;
    return ready.size();
  }
  const int64_t start = monotonic_ns();
  const int64_t deadline = timeout_us < 0 ? -1 : start + timeout_us * 1000;
  int64_t spin_until = start + int64_t(options_.spin_us) * 1000;
  if (deadline >= 0) spin_until = std::min(spin_until, deadline);
  // One pause between scans (a pause is tens of cycles on current x86, and a write is seen
  // only at the next scan), and the clock only every kScansPerClockRead scans. Past
  // kTightSpinNs the spin yields at each clock read: when the writer we wait for was woken
  // onto our core (the scheduler puts a futex wakee next to its waker), it runs at once
  // instead of after our whole spin.
  const int64_t tight_until = start + kTightSpinNs;
  for (uint32_t round = 1; options_.spin_us > 0; ++round) {  // spin_us = 0: straight to sleep
    cpu_relax();
    if (scan(ready)) {
      backoff_ns_ = 0;
      return ready.size();
    }
    if (round % kScansPerClockRead == 0) {
      int64_t now = monotonic_ns();
      if (now >= spin_until) break;
      if (now >= tight_until) sched_yield();
    }
  }
  for (;;) {
    if (!sleep_once(deadline)) return 0;
    if (scan(ready)) {
      backoff_ns_ = 0;
      return ready.size();
    }
  }
}

}  // namespace rma
}  // namespace castellan
