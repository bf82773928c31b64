// binding.rma: the RMA subsystem's JS surface (src/rma/*.ts wraps it).
#include "common/module_registry.h"
#include "rma/rma_js.h"

namespace castellan {
namespace rma {
namespace {

void InitRma(Napi::Env env, Napi::Object exports) {
  init_region_js(env, exports);
  init_connection_js(env, exports);
  init_poller_js(env, exports);
  init_bench_js(env, exports);
}

}  // namespace
}  // namespace rma
}  // namespace castellan

CASTELLAN_REGISTER_MODULE(rma, castellan::rma::InitRma);
