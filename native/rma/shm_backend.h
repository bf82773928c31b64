// Constructors of the shm backend, used by the backend dispatch (rma_factory.cc).
#pragma once
#include <memory>

#include "rma/handle.h"
#include "rma/rma.h"
#include "rma/shm_segment.h"

namespace castellan {
namespace rma {

std::unique_ptr<Region> create_shm_region(size_t bytes);
std::unique_ptr<Connection> connect_shm(HandleReader& handle);

/** What a writer in another language needs to run the shm write protocol itself (JS, src/rma/shm-writer.ts). */
struct ShmWriterView {
  std::shared_ptr<ShmSegment> segment;
  uint32_t slot;
  uint64_t key;
};
/** Fills `out` when `conn` is an open shm connection. */
bool shm_writer_view(Connection& conn, ShmWriterView* out);
/** The FUTEX_WAKE a writer owes sleeping pollers after ringing the segment's doorbell. */
void shm_wake_pollers(ShmSegment& segment);

}  // namespace rma
}  // namespace castellan
