// Optional backends. Each is compiled when its headers exist (binding.gyp probes); without
// them these entry points report ERR_CASTELLAN_RMA_UNAVAILABLE (unbuilt_backends.cc).
#pragma once
#include <memory>
#include <string>

#include "rma/handle.h"
#include "rma/rma.h"

namespace castellan {
namespace rma {

bool verbs_available(std::string* why_not);
std::unique_ptr<Region> create_verbs_region(const RegionOptions& options);
std::unique_ptr<Connection> connect_verbs(HandleReader& handle);

bool fabric_available(const std::string& provider, std::string* why_not);
std::unique_ptr<Region> create_fabric_region(const RegionOptions& options);
std::unique_ptr<Connection> connect_fabric(HandleReader& handle);

}  // namespace rma
}  // namespace castellan
