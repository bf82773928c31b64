// A UDP multicast socket with its own receive thread (RMP's transport, spec/rmp.md): epoll
// + recvmmsg batches on the I/O thread, sendmmsg batches from the caller, back-pressure by
// pausing reads while too many datagrams wait for the consumer (the kernel queue then
// absorbs bursts and counts what it drops, SO_RXQ_OVFL).
#pragma once
#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/coded_error.h"

namespace castellan {
namespace mcast {

constexpr size_t kDatagramBytesMax = 65507;  // largest UDP payload over IPv4
constexpr unsigned kRecvBatch = 64;          // datagrams per recvmmsg
constexpr unsigned kSendBatch = 256;         // datagrams per sendmmsg
constexpr size_t kDefaultQueuedMax = 8192;   // datagrams waiting for JS before reads pause
constexpr int kSocketBufferBytes = 4 << 20;  // SO_RCVBUF/SO_SNDBUF request (kernel caps it)

class McastError : public CodedError {
 public:
  using CodedError::CodedError;
};

struct SocketOptions {
  uint16_t port = 0;
  std::string bind_address = "0.0.0.0";
  /** Outgoing interface address for multicast (IP_MULTICAST_IF); empty = kernel's choice. */
  std::string interface_address;
  int ttl = 1;
  bool loopback = true;
  size_t queued_max = kDefaultQueuedMax;
  /** Largest datagram accepted; longer ones are counted as truncated. */
  size_t datagram_max = 2048;
};

/** A batch handed to the consumer: payloads back to back, with per-datagram metadata. */
struct Batch {
  std::vector<uint8_t> payload;
  /** Triples (length, source IPv4 in host order, source port) per datagram. */
  std::vector<uint32_t> meta;
  size_t count() const { return meta.size() / 3; }
};

struct Stats {
  uint64_t received = 0, batches = 0, kernel_drops = 0, truncated = 0, paused = 0, sent = 0, send_errors = 0;
};

class McastSocket {
 public:
  /** on_batch runs on the I/O thread; it must hand the batch off and later call consumed(n). */
  McastSocket(const SocketOptions& options, std::function<void(Batch&&)> on_batch);
  ~McastSocket();
  McastSocket(const McastSocket&) = delete;
  McastSocket& operator=(const McastSocket&) = delete;

  uint16_t local_port() const { return local_port_; }
  void join(const std::string& group, const std::string& interface_address);
  void leave(const std::string& group, const std::string& interface_address);
  /** Sends each datagram to (address, port) with sendmmsg batches; returns how many went. */
  size_t send(const sockaddr_in& to, const std::vector<std::pair<const uint8_t*, size_t>>& datagrams);
  /** The consumer took n datagrams: reads resume when the queue is below queued_max. */
  void consumed(size_t n);
  Stats stats() const;
  void close();

 private:
  void run();
  void membership(int op, const std::string& group, const std::string& interface_address);
  void receive_ready();

  SocketOptions options_;
  std::function<void(Batch&&)> on_batch_;
  int fd_ = -1, epoll_ = -1, wake_ = -1;
  uint16_t local_port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> queued_{0};
  std::mutex send_mu_;
  mutable std::mutex stats_mu_;
  Stats stats_;
};

sockaddr_in parse_ipv4(const std::string& address, uint16_t port);

}  // namespace mcast
}  // namespace castellan
