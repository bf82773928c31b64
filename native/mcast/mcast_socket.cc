#include "mcast/mcast_socket.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace castellan {
namespace mcast {
namespace {

[[noreturn]] void sys_fail(const std::string& what) {
  throw McastError("ERR_CASTELLAN_MCAST_SYS", what + ": " + std::strerror(errno));
}

constexpr int kEpollWaitMs = -1;  // the stop eventfd wakes us; no periodic wake-ups

}  // namespace

sockaddr_in parse_ipv4(const std::string& address, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &a.sin_addr) != 1)
    throw McastError("ERR_CASTELLAN_MCAST_ARG", "not an IPv4 address: \"" + address + "\"");
  return a;
}

McastSocket::McastSocket(const SocketOptions& options, std::function<void(Batch&&)> on_batch)
    : options_(options), on_batch_(std::move(on_batch)) {
  if (options_.datagram_max == 0 || options_.datagram_max > kDatagramBytesMax)
    throw McastError("ERR_CASTELLAN_MCAST_ARG", "datagramMax must be 1.." + std::to_string(kDatagramBytesMax));
  if (options_.ttl < 0 || options_.ttl > 255) throw McastError("ERR_CASTELLAN_MCAST_ARG", "ttl must be 0..255");
  sockaddr_in bind_addr = parse_ipv4(options_.bind_address, options_.port);
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) sys_fail("socket");
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd_, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  int buf = kSocketBufferBytes;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  unsigned char ttl = static_cast<unsigned char>(options_.ttl), loop = options_.loopback ? 1 : 0;
  if (setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0) sys_fail("IP_MULTICAST_TTL");
  if (setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0) sys_fail("IP_MULTICAST_LOOP");
  if (!options_.interface_address.empty()) {
    in_addr ifa = parse_ipv4(options_.interface_address, 0).sin_addr;
    if (setsockopt(fd_, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) != 0) sys_fail("IP_MULTICAST_IF");
  }
  if (bind(fd_, reinterpret_cast<sockaddr*>(&bind_addr), sizeof bind_addr) != 0) {
    int e = errno;
    ::close(fd_);
    errno = e;
    sys_fail("bind " + options_.bind_address + ":" + std::to_string(options_.port));
  }
  sockaddr_in local{};
  socklen_t len = sizeof local;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
  local_port_ = ntohs(local.sin_port);
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
  ev.data.fd = fd_;
  epoll_ctl(epoll_, EPOLL_CTL_ADD, fd_, &ev);
  thread_ = std::thread([this] { run(); });
}

McastSocket::~McastSocket() { close(); }

void McastSocket::close() {
  if (fd_ < 0) return;
  stop_ = true;
  uint64_t one = 1;
  (void)!::write(wake_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  ::close(epoll_);
  ::close(wake_);
  fd_ = -1;
}

void McastSocket::membership(int op, const std::string& group, const std::string& interface_address) {
  if (fd_ < 0) throw McastError("ERR_CASTELLAN_MCAST_CLOSED", "socket is closed");
  ip_mreq m{};
  m.imr_multiaddr = parse_ipv4(group, 0).sin_addr;
  if (!IN_MULTICAST(ntohl(m.imr_multiaddr.s_addr)))
    throw McastError("ERR_CASTELLAN_MCAST_ARG", group + " is not a multicast group (224.0.0.0/4)");
  m.imr_interface.s_addr = interface_address.empty() ? htonl(INADDR_ANY) : parse_ipv4(interface_address, 0).sin_addr.s_addr;
  if (setsockopt(fd_, IPPROTO_IP, op, &m, sizeof m) != 0)
    sys_fail(std::string(op == IP_ADD_MEMBERSHIP ? "join " : "leave ") + group);
}

void McastSocket::join(const std::string& group, const std::string& ifa) { membership(IP_ADD_MEMBERSHIP, group, ifa); }
void McastSocket::leave(const std::string& group, const std::string& ifa) { membership(IP_DROP_MEMBERSHIP, group, ifa); }

size_t McastSocket::send(const sockaddr_in& to, const std::vector<std::pair<const uint8_t*, size_t>>& datagrams) {
  if (fd_ < 0) throw McastError("ERR_CASTELLAN_MCAST_CLOSED", "socket is closed");
  std::lock_guard<std::mutex> lock(send_mu_);
  mmsghdr msgs[kSendBatch];
  iovec iov[kSendBatch];
  size_t sent = 0, errors = 0;
  for (size_t at = 0; at < datagrams.size();) {
    unsigned n = 0;
    for (; n < kSendBatch && at + n < datagrams.size(); ++n) {
      iov[n] = {const_cast<uint8_t*>(datagrams[at + n].first), datagrams[at + n].second};
      msgs[n] = {};
      msgs[n].msg_hdr.msg_name = const_cast<sockaddr_in*>(&to);
      msgs[n].msg_hdr.msg_namelen = sizeof to;
      msgs[n].msg_hdr.msg_iov = &iov[n];
      msgs[n].msg_hdr.msg_iovlen = 1;
    }
    int rc = sendmmsg(fd_, msgs, n, 0);
    if (rc < 0) {
      if (errno == EINTR) continue;
      ++errors;  // this datagram is dropped (e.g. EMSGSIZE); the rest of the batch still goes
      ++at;
      continue;
    }
    sent += rc;
    at += rc;
  }
  std::lock_guard<std::mutex> s(stats_mu_);
  stats_.sent += sent;
  stats_.send_errors += errors;
  return sent;
}

void McastSocket::consumed(size_t n) {
  size_t before = queued_.fetch_sub(n);
  if (before >= options_.queued_max && before - n < options_.queued_max) {
    uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);  // resume reading
  }
}

Stats McastSocket::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

void McastSocket::receive_ready() {
  const size_t cap = options_.datagram_max;
  std::vector<uint8_t> buffers(kRecvBatch * cap);
  mmsghdr msgs[kRecvBatch];
  iovec iov[kRecvBatch];
  sockaddr_in from[kRecvBatch];
  alignas(cmsghdr) char control[kRecvBatch][CMSG_SPACE(sizeof(uint32_t))];
  Batch batch;
  while (queued_.load() + batch.count() < options_.queued_max) {
    for (unsigned i = 0; i < kRecvBatch; ++i) {
      iov[i] = {buffers.data() + i * cap, cap};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    int rc = recvmmsg(fd_, msgs, kRecvBatch, MSG_DONTWAIT, nullptr);
    if (rc <= 0) break;
    uint32_t drops = 0;
    bool have_drops = false;
    uint64_t truncated = 0;
    for (int i = 0; i < rc; ++i) {
      size_t len = msgs[i].msg_len;
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
        ++truncated;
        continue;
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
          have_drops = true;
        }
      const uint8_t* p = buffers.data() + i * cap;
      batch.payload.insert(batch.payload.end(), p, p + len);
      batch.meta.push_back(static_cast<uint32_t>(len));
      batch.meta.push_back(ntohl(from[i].sin_addr.s_addr));
      batch.meta.push_back(ntohs(from[i].sin_port));
    }
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.truncated += truncated;
    if (have_drops) stats_.kernel_drops = drops;  // the kernel's running count for this socket
    if (rc < int(kRecvBatch)) break;
  }
  if (batch.count() == 0) return;
  queued_ += batch.count();
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.received += batch.count();
    stats_.batches += 1;
  }
  on_batch_(std::move(batch));
}

void McastSocket::run() {
  bool paused = false;
  epoll_event events[2];
  while (!stop_) {
    int n = epoll_wait(epoll_, events, 2, kEpollWaitMs);
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_) {
        uint64_t v;
        (void)!::read(wake_, &v, sizeof v);
      }
    }
    if (stop_) break;
    bool full = queued_.load() >= options_.queued_max;
    if (full != paused) {  // back-pressure: stop watching the socket while JS is behind
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = fd_;
      epoll_ctl(epoll_, full ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, fd_, &ev);
      paused = full;
      if (full) {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.paused += 1;
      }
    }
    if (!paused) receive_ready();
  }
}

}  // namespace mcast
}  // namespace castellan
