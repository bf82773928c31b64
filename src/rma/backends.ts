// Which RMA backends can run here, and why not: compiled in (binding.build.backends), and
// for verbs a device listed by `ibv_devices` (this kernel has none: no RDMA, no rdma_rxe).
import { rma, rmaBackends, type RmaBackend } from './native-rma.js';

export interface BackendStatus {
  backend: RmaBackend;
  ok: boolean;
  reason: string;
}

export function backendStatus(backend: RmaBackend): BackendStatus {
  const { ok, reason } = rma().available(backend);
  return { backend, ok, reason };
}

export function allBackendStatus(): BackendStatus[] {
  return rmaBackends.map(backendStatus);
}
