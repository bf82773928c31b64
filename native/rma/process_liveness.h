// Which process owns or writes a segment, robust to pid reuse: (pid, start time in clock
// ticks since boot from /proc/<pid>/stat). A crashed owner is detected by either the pid
// being gone or it now naming a different process.
#pragma once
#include <sys/types.h>

#include <cstdint>

namespace castellan {
namespace rma {

struct ProcessId {
  int32_t pid;
  uint64_t start;
};

ProcessId self_process();
/** Start time of pid, 0 when it does not exist. */
uint64_t process_start(pid_t pid);
bool process_alive(const ProcessId& id);

}  // namespace rma
}  // namespace castellan
