// Shoup's threshold RSA (Practical Threshold Signatures, 2000) behind the common interfaces:
// a party's share signs (partial signature + proof of correctness), the site public key
// checks shares, combines them optimistically and verifies the result as a standard RSA
// PKCS#1 v1.5 SHA-256 signature with node:crypto. Arithmetic: native/tsig.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { optimisticCombine, type CombinePrimitives } from '../optimistic-combine.js';
import { CryptoError, type CombineOutcome, type PartialSignature, type ThresholdScheme, type ThresholdShareSigner } from '../signer.js';
import { nativeParams, parsePublicKeyJson, parseShareKeyJson, publicKeyPem, rsaPublicKeyObject, type PublicKeyJson, type ShareKeyJson } from './key-file.js';
import { nativeTsig, type NativeKey } from './native-tsig.js';
import { decodePartial, encodePartial, layoutOf, type PartialLayout } from './partial-codec.js';

export const SHOUP_RSA = 'shoup-rsa';

export class ThresholdRsaPublicKey implements ThresholdScheme, CombinePrimitives {
  readonly scheme = SHOUP_RSA;
  readonly parties: number;
  readonly threshold: number;
  readonly bits: number;
  readonly layout: PartialLayout;
  readonly native: NativeKey;
  private readonly keyObject: KeyObject;

  constructor(readonly json: PublicKeyJson) {
    this.parties = json.parties;
    this.threshold = json.threshold;
    this.native = new (nativeTsig().Key)(nativeParams(json));
    this.bits = this.native.modulusBits;
    if (this.bits !== json.bits)
      throw new CryptoError('ERR_CASTELLAN_KEY_FILE', `invalid threshold key: "bits" says ${json.bits}, the modulus has ${this.bits}`);
    this.layout = layoutOf(this.bits);
    this.keyObject = rsaPublicKeyObject(json);
  }

  static parse(value: unknown): ThresholdRsaPublicKey {
    return new ThresholdRsaPublicKey(parsePublicKeyJson(value));
  }

  toPem(): string {
    return publicKeyPem(this.json);
  }

  async verify(message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return this.verifySync(message, signature);
  }

  /** A public-exponent check (e = 65537): microseconds, so it runs inline. */
  verifySync(message: Uint8Array, signature: Uint8Array): boolean {
    try {
      return cryptoVerify('sha256', message, this.keyObject, signature);
    } catch {
      return false;
    }
  }

  wellFormed(partial: PartialSignature): boolean {
    return decodePartial(this.layout, partial.bytes)?.party === partial.party;
  }

  async verifyPartial(message: Uint8Array, partial: PartialSignature): Promise<boolean> {
    const d = decodePartial(this.layout, partial.bytes);
    if (!d || d.party !== partial.party || d.party < 1 || d.party > this.parties) return false;
    return this.native.verifyShare(message, d.party, d.xi, d.c, d.z);
  }

  verifyPartialSync(message: Uint8Array, partial: PartialSignature): boolean {
    const d = decodePartial(this.layout, partial.bytes);
    if (!d || d.party !== partial.party || d.party < 1 || d.party > this.parties) return false;
    return this.native.verifyShareSync(message, d.party, d.xi, d.c, d.z);
  }

  combine(message: Uint8Array, partials: PartialSignature[]): Promise<CombineOutcome> {
    return optimisticCombine(this, message, partials);
  }

  combineExactly(message: Uint8Array, partials: PartialSignature[]): Promise<{ ok: boolean; signature: Uint8Array }> {
    const [parties, shares] = this.shareLists(partials);
    return this.native.combine(message, parties, shares);
  }

  combineExactlySync(message: Uint8Array, partials: PartialSignature[]): { ok: boolean; signature: Uint8Array } {
    const [parties, shares] = this.shareLists(partials);
    return this.native.combineSync(message, parties, shares);
  }

  private shareLists(partials: PartialSignature[]): [number[], Uint8Array[]] {
    const xis = partials.map((p) => {
      const d = decodePartial(this.layout, p.bytes);
      if (!d) throw new RangeError(`partial of party ${p.party} is malformed`);
      return d.xi;
    });
    return [partials.map((p) => p.party), xis];
  }
}

export class ThresholdRsaShare implements ThresholdShareSigner {
  readonly scheme = SHOUP_RSA;
  readonly party: number;
  readonly publicKey: ThresholdRsaPublicKey;
  private readonly native: NativeKey;

  constructor(readonly json: ShareKeyJson) {
    this.party = json.party;
    this.publicKey = new ThresholdRsaPublicKey(json.publicKey);
    this.native = new (nativeTsig().Key)(nativeParams(json.publicKey, json));
  }

  static parse(value: unknown): ThresholdRsaShare {
    return new ThresholdRsaShare(parseShareKeyJson(value));
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    return encodePartial(this.party, await this.native.partialSign(message));
  }

  signSync(message: Uint8Array): Uint8Array {
    return encodePartial(this.party, this.native.partialSignSync(message));
  }

  async partialSign(message: Uint8Array): Promise<PartialSignature> {
    return { party: this.party, bytes: await this.sign(message) };
  }

  /** One constant-time |n|-bit exponentiation mod this key's n: the benchmark's floor. */
  modexpSecretSync(base: Uint8Array, exponent: Uint8Array): Uint8Array {
    return this.native.modexpSecretSync(base, exponent);
  }
}
