// Which RMA backends can run here, and why not: compiled in (binding.build.backends), and
// for verbs a device listed by `ibv_devices` (this kernel has none: no RDMA, no rdma_rxe).
import { fabricProviders, rma, rmaBackends, type ConnectOptions, type RegionOptions, type RmaBackend } from './native-rma.js';

export interface BackendStatus {
  backend: RmaBackend;
  ok: boolean;
  reason: string;
}

/** One backend configuration to test or measure: fabric once per provider, shm once per JS write path. */
export interface RmaTarget {
  backend: RmaBackend;
  options: RegionOptions;
  connect: ConnectOptions;
  /** e.g. "shm", "fabric tcp;ofi_rxm" */
  label: string;
  status: BackendStatus;
}

export function backendStatus(backend: RmaBackend, provider?: string): BackendStatus {
  const { ok, reason } = rma().available(backend, provider);
  return { backend, ok, reason };
}

export function allBackendStatus(): BackendStatus[] {
  return rmaBackends.map((b) => backendStatus(b));
}

export function rmaTargets(): RmaTarget[] {
  return rmaBackends.flatMap((backend): RmaTarget[] => {
    if (backend === 'fabric')
      return fabricProviders.map((provider) => ({ backend, options: { provider }, connect: {}, label: `fabric ${provider}`, status: backendStatus(backend, provider) }));
    const status = backendStatus(backend);
    if (backend === 'shm')
      return [
        { backend, options: {}, connect: {}, label: 'shm', status },
        { backend, options: {}, connect: { writes: 'native' }, label: 'shm (native writes)', status },
      ];
    return [{ backend, options: {}, connect: {}, label: backend, status }];
  });
}
