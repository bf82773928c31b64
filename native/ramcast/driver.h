// The native driver of the real runtime (issue 5: no JS per message on the hot path): one
// thread per OS process that polls the mailboxes of every RamCast node placed in the process
// (spin, then sleep in the kernel: an idle driver costs nothing on 2 cores), applies landed
// records to the cores, executes their writes on rma::Connections, and signals JS when
// deliveries or completions are ready to be taken in a batch. JS calls into the endpoints
// (control plane, client multicasts) under the same mutex.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "ramcast/endpoint.h"
#include "rma/rma.h"

namespace castellan::ramcast {

struct DriverStats {
  uint64_t wakeups = 0;  // poller waits that found work
  uint64_t polls = 0;    // loop iterations
  uint64_t errors = 0;   // exceptions caught in the loop (a bug: also kept in last_error)
};

class Driver {
 public:
  /** `notify` is called from the driver thread, without the mutex, when an outbox has news. */
  using Notify = std::function<void()>;

  /** After activity the thread keeps polling for `spin_us`, yielding the CPU between looks
   *  (sched_yield), then sleeps in the poller (futex). */
  explicit Driver(uint32_t spin_us);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /** Adds a node before start(); the driver owns it. */
  Endpoint& add(std::unique_ptr<Endpoint> endpoint);
  void start(Notify notify);
  /** Joins the thread (within kStopCheckUs). Idempotent. */
  void stop();
  bool running() const { return thread_.joinable(); }

  /** Held by the thread while it polls; JS holds it for control calls. */
  std::mutex& mutex() { return mu_; }
  /** After a JS call changed an endpoint: notify if an outbox has news (call without mu). */
  void signal();
  /** Takes every non-empty outbox (under mu): (node, outbox) pairs. */
  std::vector<std::pair<uint32_t, Outbox>> take();

  uint64_t sleeps() const { return sleeps_.load(); }
  DriverStats stats();
  std::string last_error();

 private:
  void run();
  bool any_news();
  /** Marks endpoints whose regions were written since last looked at; true if any. */
  bool doorbells_moved();

  int64_t spin_ns_;
  rma::Poller poller_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  struct Watched {
    rma::Region* region;
    size_t endpoint;
    uint32_t seen;  // doorbell value last acted on
  };
  std::vector<Watched> doorbells_;
  std::vector<char> moved_;  // per endpoint: a doorbell of its regions moved since its last poll
  std::mutex mu_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sleeps_{0};
  Notify notify_;
  DriverStats stats_;
  std::string last_error_;
};

}  // namespace castellan::ramcast
