// Types of the native Shoup RSA subsystem (native/tsig/tsig_module.cc). Every method has a
// Promise form for the event loop and a Sync form for piscina workers.
import { subsystem } from '../../native/addon.js';

export interface NativeKeyParams {
  parties: number;
  threshold: number;
  n: Uint8Array;
  e: Uint8Array;
  v: Uint8Array;
  verificationKeys: Uint8Array[];
  party?: number;
  share?: Uint8Array;
}

export interface NativePartial {
  xi: Uint8Array;
  c: Uint8Array;
  z: Uint8Array;
}

export interface NativeCombine {
  ok: boolean;
  signature: Uint8Array;
}

export interface NativeKey {
  readonly modulusBits: number;
  partialSign(message: Uint8Array): Promise<NativePartial>;
  partialSignSync(message: Uint8Array): NativePartial;
  verifyShare(message: Uint8Array, party: number, xi: Uint8Array, c: Uint8Array, z: Uint8Array): Promise<boolean>;
  verifyShareSync(message: Uint8Array, party: number, xi: Uint8Array, c: Uint8Array, z: Uint8Array): boolean;
  combine(message: Uint8Array, parties: number[], shares: Uint8Array[]): Promise<NativeCombine>;
  combineSync(message: Uint8Array, parties: number[], shares: Uint8Array[]): NativeCombine;
  verify(message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  verifySync(message: Uint8Array, signature: Uint8Array): boolean;
  /** base^exponent mod n on the constant-time path: the benchmark floor. */
  modexpSecretSync(base: Uint8Array, exponent: Uint8Array): Uint8Array;
}

export interface KeyMaterial {
  n: Uint8Array;
  e: Uint8Array;
  v: Uint8Array;
  verificationKeys: Uint8Array[];
  shares: Uint8Array[];
}

export interface NativeTsig {
  generateSafePrime(bits: number): Promise<Uint8Array>;
  deal(p: Uint8Array, q: Uint8Array, parties: number, threshold: number): Promise<KeyMaterial>;
  Key: new (params: NativeKeyParams) => NativeKey;
}

export function nativeTsig(): NativeTsig {
  return subsystem<NativeTsig>('tsig');
}
