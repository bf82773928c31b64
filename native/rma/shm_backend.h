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

}  // namespace rma
}  // namespace castellan
