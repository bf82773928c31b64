#include "rma/process_liveness.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace castellan {
namespace rma {

uint64_t process_start(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = std::fopen(path, "r");
  if (!f) return 0;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'.
  char* p = std::strrchr(buf, ')');
  if (!p) return 0;
  p += 2;  // ") " → field 3
  for (int field = 3; field < 22 && *p; ++field) {
    p = std::strchr(p, ' ');
    if (!p) return 0;
    ++p;
  }
  unsigned long long start = 0;
  if (std::sscanf(p, "%llu", &start) != 1) return 0;
  // A zombie (killed, not yet reaped) still has /proc/<pid>/stat: state field 3 is 'Z'.
  char* state = std::strrchr(buf, ')') + 2;
  if (*state == 'Z' || *state == 'X') return 0;
  return start;
}

ProcessId self_process() {
  static const ProcessId self{static_cast<int32_t>(getpid()), process_start(getpid())};
  return self;
}

bool process_alive(const ProcessId& id) {
  if (id.pid <= 0) return false;
  if (kill(id.pid, 0) != 0 && errno == ESRCH) return false;
  return process_start(id.pid) == id.start;
}

}  // namespace rma
}  // namespace castellan
