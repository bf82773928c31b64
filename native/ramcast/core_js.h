// JS conversions of the RamCast cores' inputs and outputs, shared by the simulator's classes
// (ramcast_binding.cc: RamcastServer, RamcastClient) and the real runtime's endpoints
// (driver_js.cc), so both expose the server's control surface from one table.
#pragma once
#include <napi.h>

#include <stdexcept>
#include <vector>

#include "common/errors.h"
#include "ramcast/client_core.h"
#include "ramcast/server_core.h"

namespace castellan::ramcast {

constexpr const char* kArgError = "ERR_CASTELLAN_RAMCAST_ARG";

Topology topology_from(Napi::Env env, const Napi::Value& cfg);
std::vector<uint8_t> bytes_arg(Napi::Env env, const Napi::Value& v);
Napi::Uint8Array to_js(Napi::Env env, const std::vector<uint8_t>& b);
Napi::Object effects_js(Napi::Env env, Effects fx);

/** multicast(dst: number[], payload: Uint8Array[, await: 'none'|'one'|'quorum'|'all']) */
struct MulticastArgs {
  std::vector<uint16_t> dst;
  std::vector<uint8_t> payload;
  Await await = Await::kNone;
};
MulticastArgs multicast_args(const Napi::CallbackInfo& info);

// Runs a core call, turning its std exceptions (and the RMA layer's coded ones) into coded
// JS errors.
template <typename F>
auto guarded(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const CodedError& e) {
    throw_error(env, e.code(), e.what());
  } catch (const std::invalid_argument& e) {
    throw_error(env, kArgError, e.what());
  } catch (const std::length_error& e) {
    throw_error(env, "ERR_CASTELLAN_RAMCAST_FULL", e.what());
  } catch (const std::logic_error& e) {
    throw_error(env, "ERR_CASTELLAN_RAMCAST_STATE", e.what());
  }
}

/** One method of the server core's control plane (Tasks 7–10), as JS sees it. */
struct ServerCall {
  const char* name;
  Napi::Value (*call)(const Napi::CallbackInfo& info, ServerCore& core);
};
/** installRound, setGroupLeader, observeClock, settle, openRound, suspectClient, resync,
 *  report, info, describePending. */
const std::vector<ServerCall>& server_calls();

/** suspectServer, queued, awaiting, nextSeq. */
struct ClientCall {
  const char* name;
  Napi::Value (*call)(const Napi::CallbackInfo& info, ClientCore& core);
};
const std::vector<ClientCall>& client_calls();

}  // namespace castellan::ramcast
