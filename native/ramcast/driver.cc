// The driver thread (driver.h).
#include "ramcast/driver.h"

#include <sched.h>

#include <exception>

namespace castellan::ramcast {
namespace {

// The thread re-checks stop() and stalled writes at least this often while idle: rare enough
// that an idle process stays asleep, short enough that shutdown is prompt.
constexpr int64_t kStopCheckUs = 100 * 1000;

}  // namespace

// The poller itself never spins: the driver does, yielding (see run()).
Driver::Driver(uint32_t spin_us) : spin_ns_(int64_t(spin_us) * 1000), poller_(rma::PollerOptions{0}) {}

Driver::~Driver() { stop(); }

Endpoint& Driver::add(std::unique_ptr<Endpoint> endpoint) {
  if (running()) throw std::logic_error("ramcast: add nodes before starting the driver");
  for (rma::Region* r : endpoint->regions()) {
    poller_.watch(r);
    doorbells_.push_back({r, endpoints_.size(), r->doorbell()});
  }
  endpoints_.push_back(std::move(endpoint));
  moved_.push_back(1);
  return *endpoints_.back();
}

void Driver::start(Notify notify) {
  if (running()) throw std::logic_error("ramcast: the driver is already running");
  notify_ = std::move(notify);
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void Driver::stop() {
  if (!running()) return;
  stop_ = true;
  thread_.join();
  notify_ = nullptr;  // it may hold the JS side's state: let that go with the thread
}

bool Driver::any_news() {
  for (auto& e : endpoints_)
    if (!e->outbox().empty()) return true;
  return false;
}

bool Driver::doorbells_moved() {
  bool moved = false;
  for (Watched& w : doorbells_) {
    w.region->progress();
    const uint32_t now = w.region->doorbell();
    if (now != w.seen) {
      w.seen = now;
      moved_[w.endpoint] = 1;
      moved = true;
    }
  }
  return moved;
}

void Driver::run() {
  std::vector<int> ready;
  uint64_t sleeps_seen = poller_.sleeps();
  int64_t active_at = monotonic_ns();
  while (!stop_) {
    // Spin for a while after activity, but yield between looks: on 2 cores shared by a dozen
    // processes the write we wait for comes from a process that needs this CPU to run. Past
    // the spin, sleep in the kernel until a writer wakes us (an idle driver costs nothing).
    bool work = doorbells_moved();
    if (!work && monotonic_ns() - active_at < spin_ns_) {
      sched_yield();
      continue;
    }
    if (!work) {
      poller_.wait(kStopCheckUs, ready);
      work = doorbells_moved();
      const uint64_t s = poller_.sleeps();
      sleeps_ += s - sleeps_seen;
      sleeps_seen = s;
    }
    bool news = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.polls;
      if (work) ++stats_.wakeups;
      try {
        // Only the nodes whose mailboxes were written: a process may host dozens (8 groups).
        for (size_t i = 0; i < endpoints_.size(); ++i) {
          Endpoint& e = *endpoints_[i];
          if (moved_[i]) e.poll();
          moved_[i] = 0;
          // Consumed-word write-backs move the doorbell without a record: retry stalled writes.
          if (e.has_pending()) e.flush();
        }
      } catch (const std::exception& ex) {
        ++stats_.errors;
        last_error_ = ex.what();
      }
      news = any_news();
    }
    if (work) active_at = monotonic_ns();
    if (news && notify_) notify_();
  }
}

void Driver::signal() {
  bool news;
  {
    std::lock_guard<std::mutex> lock(mu_);
    news = any_news();
  }
  if (news && notify_) notify_();
}

std::vector<std::pair<uint32_t, Outbox>> Driver::take() {
  std::vector<std::pair<uint32_t, Outbox>> out;
  for (auto& e : endpoints_)
    if (!e->outbox().empty()) {
      out.emplace_back(e->node(), std::move(e->outbox()));
      e->outbox() = Outbox{};
    }
  return out;
}

DriverStats Driver::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::string Driver::last_error() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

}  // namespace castellan::ramcast
