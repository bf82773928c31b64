// Backend dispatch: names, availability, region creation and handle → connection.
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "rma/backends.h"
#include "rma/shm_backend.h"

namespace castellan {
namespace rma {

const char* backend_name(Backend b) {
  switch (b) {
    case Backend::kShm: return "shm";
    case Backend::kVerbs: return "verbs";
    case Backend::kFabric: return "fabric";
  }
  return "unknown";
}

Backend backend_from_name(const std::string& name) {
  if (name == "shm") return Backend::kShm;
  if (name == "verbs") return Backend::kVerbs;
  if (name == "fabric") return Backend::kFabric;
  throw RmaError("ERR_CASTELLAN_RMA_BACKEND", "unknown RMA backend \"" + name + "\" (shm, verbs, fabric)");
}

bool backend_available(Backend b, std::string* why_not) {
  switch (b) {
    case Backend::kShm: return true;
    case Backend::kVerbs: return verbs_available(why_not);
    case Backend::kFabric: return fabric_available("tcp;ofi_rxm", why_not);
  }
  return false;
}

std::unique_ptr<Region> create_region(const RegionOptions& options) {
  switch (options.backend) {
    case Backend::kShm: return create_shm_region(options.bytes);
    case Backend::kVerbs: return create_verbs_region(options);
    case Backend::kFabric: return create_fabric_region(options);
  }
  throw RmaError("ERR_CASTELLAN_RMA_BACKEND", "unknown RMA backend");
}

std::unique_ptr<Connection> connect(const uint8_t* handle, size_t len) {
  HandleReader r(handle, len);
  switch (r.backend()) {
    case Backend::kShm: return connect_shm(r);
    case Backend::kVerbs: return connect_verbs(r);
    case Backend::kFabric: return connect_fabric(r);
  }
  HandleReader::fail("unknown backend");
}

int sweep_stale_segments() {
  DIR* dir = opendir("/dev/shm");
  if (!dir) return 0;
  int removed = 0;
  const size_t prefix_len = std::strlen(kShmNamePrefix);
  while (dirent* e = readdir(dir)) {
    if (std::strncmp(e->d_name, kShmNamePrefix, prefix_len) != 0) continue;
    // Name: castellan-rma-<pid>-<n>-<random>; the header names the owner exactly, but a
    // segment whose creator died before writing the header only has the pid in its name.
    long pid = std::strtol(e->d_name + prefix_len, nullptr, 10);
    std::string name = std::string("/") + e->d_name;
    bool stale;
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      stale = true;
    } else {
      try {
        auto segment = ShmSegment::open(name);
        stale = !process_alive(segment->header()->owner);
      } catch (const RmaError&) {
        stale = false;  // being created right now, or not ours to judge
      }
    }
    if (stale && shm_unlink(name.c_str()) == 0) ++removed;
  }
  closedir(dir);
  return removed;
}

}  // namespace rma
}  // namespace castellan
