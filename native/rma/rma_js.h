// Thin N-API classes over the RMA objects (one per native object, as better-sqlite3 does):
// Region, Connection, Poller. RmaError becomes a JS Error with its code.
#pragma once
#include <napi.h>

#include <memory>

#include "common/errors.h"
#include "rma/rma.h"

namespace castellan {
namespace rma {

/** The shared Region behind a JS Region object (nullptr if `value` is not one). */
std::shared_ptr<Region> unwrap_region(Napi::Value value);

void init_region_js(Napi::Env env, Napi::Object exports);
void init_connection_js(Napi::Env env, Napi::Object exports);
void init_poller_js(Napi::Env env, Napi::Object exports);
void init_bench_js(Napi::Env env, Napi::Object exports);

}  // namespace rma
}  // namespace castellan
