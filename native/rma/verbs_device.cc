// Device discovery and rdma_cm plumbing for the verbs backend.
#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "rma/backends.h"
#include "rma/clock.h"
#include "rma/verbs_backend.h"

namespace castellan {
namespace rma {

[[noreturn]] void verbs_fail(const std::string& what) {
  throw RmaError("ERR_CASTELLAN_RMA_VERBS", what + ": " + std::strerror(errno));
}

sockaddr_storage verbs_sockaddr(const std::string& address, uint16_t port) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
  } else {
    throw RmaError("ERR_CASTELLAN_RMA_HANDLE", "not an IP address: " + address);
  }
  return ss;
}

namespace {

struct DeviceList {
  ibv_device** list;
  int count = 0;
  DeviceList() : list(ibv_get_device_list(&count)) {}
  ~DeviceList() {
    if (list) ibv_free_device_list(list);
  }
};

struct ContextCloser {
  void operator()(ibv_context* c) const { ibv_close_device(c); }
};

bool loopback(const std::string& a) { return a.rfind("127.", 0) == 0 || a == "::1" || a == "localhost"; }

// RoCE GIDs of IPv4 addresses are IPv4-mapped IPv6 (::ffff:a.b.c.d).
bool ipv4_of_gid(const ibv_gid& gid, std::string* out) {
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(gid.raw, kMapped, sizeof kMapped) != 0) return false;
  char buf[INET_ADDRSTRLEN];
  if (!inet_ntop(AF_INET, gid.raw + 12, buf, sizeof buf)) return false;
  *out = buf;
  return true;
}

// Calls visit(context, port, attributes) for every active port of every device until it returns true.
template <typename Visit>
bool any_active_port(const DeviceList& devices, Visit&& visit) {
  for (int d = 0; devices.list && d < devices.count; ++d) {
    std::unique_ptr<ibv_context, ContextCloser> ctx(ibv_open_device(devices.list[d]));
    if (!ctx) continue;
    ibv_device_attr attr;
    if (ibv_query_device(ctx.get(), &attr) != 0) continue;
    for (uint8_t port = 1; port <= attr.phys_port_cnt; ++port) {
      ibv_port_attr pa;
      if (ibv_query_port(ctx.get(), port, &pa) == 0 && pa.state == IBV_PORT_ACTIVE && visit(ctx.get(), port, pa))
        return true;
    }
  }
  return false;
}

}  // namespace

bool verbs_available(std::string* why_not) {
  DeviceList devices;
  if (!devices.list || devices.count == 0) {
    if (why_not)
      *why_not = "no RDMA device (ibv_get_device_list found none; on a kernel with rdma_rxe, ci/rxe-setup.sh adds a "
                 "soft-RoCE device)";
    return false;
  }
  if (any_active_port(devices, [](ibv_context*, uint8_t, const ibv_port_attr&) { return true; })) return true;
  if (why_not) *why_not = std::to_string(devices.count) + " RDMA device(s), but no port is active";
  return false;
}

std::string verbs_listen_address(const std::string& configured) {
  if (!configured.empty() && !loopback(configured)) return configured;
  DeviceList devices;
  std::string ip;
  bool found = any_active_port(devices, [&](ibv_context* ctx, uint8_t port, const ibv_port_attr& pa) {
    for (int i = 0; i < pa.gid_tbl_len; ++i) {
      ibv_gid gid;
      if (ibv_query_gid(ctx, port, i, &gid) == 0 && ipv4_of_gid(gid, &ip)) return true;
    }
    return false;
  });
  if (found) return ip;
  throw RmaError("ERR_CASTELLAN_RMA_UNAVAILABLE",
                 "no RDMA port with an IPv4 address to listen on; set the region's address to the RDMA netdev's IP");
}

void verbs_nonblocking(rdma_event_channel* channel) {
  int flags = fcntl(channel->fd, F_GETFL);
  if (flags < 0 || fcntl(channel->fd, F_SETFL, flags | O_NONBLOCK) < 0) verbs_fail("fcntl(O_NONBLOCK)");
}

rdma_cm_event* verbs_next_event(rdma_event_channel* channel, int64_t timeout_ns) {
  const int64_t deadline = monotonic_ns() + timeout_ns;
  for (;;) {
    rdma_cm_event* event = nullptr;
    if (rdma_get_cm_event(channel, &event) == 0) return event;
    if (errno != EAGAIN && errno != EWOULDBLOCK) verbs_fail("rdma_get_cm_event");
    int64_t left = deadline - monotonic_ns();
    if (left <= 0) return nullptr;
    pollfd p{channel->fd, POLLIN, 0};
    poll(&p, 1, static_cast<int>((left + 999999) / 1000000));
  }
}

}  // namespace rma
}  // namespace castellan
