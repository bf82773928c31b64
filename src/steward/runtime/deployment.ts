// A real Steward deployment on this host: who listens where, how the wide area between sites
// is shaped, and every key (§1: each server's RSA key, its site threshold share, all public
// keys). Written once to a directory by the parent (test, main job, bench) and read by each
// node process. RSA keys are 1024-bit (§3.5); site keys are (2f+1, 3f+1) Shoup RSA.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RSA_BITS } from '../../crypto/node-signer.js';
import { dealThresholdKey } from '../../crypto/threshold-rsa/keygen.js';
import { cachedSafePrimePair } from '../../crypto/threshold-rsa/prime-cache.js';
import type { PublicKeyJson, ShareKeyJson } from '../../crypto/threshold-rsa/key-file.js';
import type { LinkSpec } from '../../net/link-shaper.js';
import { nodeCount, serverCount, serverIdOf, serversPerSite, siteOf, siteThreshold, type StewardTopology } from '../topology.js';

/** Site keys use the paper's size (§3.5). */
export const SITE_KEY_BITS = 1024;

export interface Deployment {
  topology: StewardTopology;
  /** Loopback TCP port of each node id. */
  ports: number[];
  /** Every directed site-to-site link (the papers' full meshes use one spec for all). */
  wan: LinkSpec;
  /** Timeout base K and the other server options the cores take. */
  kUs: number;
  window: number;
  reconPeriodUs: number;
  /** Closed-loop client workload. */
  updatesPerClient: number;
  opBytes: number;
  /** `pool`: partial signing and combining on piscina threads; `inline`: on the node's own thread. */
  thresholdCrypto: 'inline' | 'pool';
}

export interface NodeKeys {
  rsaPrivatePem: string;
  rsaPublicPem: string[];
  share?: ShareKeyJson;
  sitePublic: PublicKeyJson[];
}

const DEPLOYMENT_FILE = 'deployment.json';
const keysFile = (node: number) => `keys-${node}.json`;

/** Each site index has its own cached prime pair, so the sites' keys differ. */
export function sitePrimes(site: number, bits: number): Promise<[Uint8Array, Uint8Array]> {
  return cachedSafePrimePair(bits, `steward-site-${site}`);
}

export async function writeDeployment(dir: string, d: Deployment): Promise<void> {
  const t = d.topology;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const n = serversPerSite(t);
  const sites = [];
  for (let s = 0; s < t.sites; s++) sites.push(await dealThresholdKey({ bits: SITE_KEY_BITS, parties: n, threshold: siteThreshold(t) }, await sitePrimes(s, SITE_KEY_BITS)));
  const rsa = Array.from({ length: nodeCount(t) }, () => generateKeyPairSync('rsa', { modulusLength: DEFAULT_RSA_BITS, publicExponent: 65537 }));
  const publicPems = rsa.map((k) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string);
  for (let node = 0; node < nodeCount(t); node++) {
    const keys: NodeKeys = {
      rsaPrivatePem: rsa[node]!.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      rsaPublicPem: publicPems,
      share: node < serverCount(t) ? sites[siteOf(t, node)]!.shares[serverIdOf(t, node)] : undefined,
      sitePublic: sites.map((s) => s.publicKey),
    };
    writeFileSync(path.join(dir, keysFile(node)), JSON.stringify(keys), { mode: 0o600 });
  }
  writeFileSync(path.join(dir, DEPLOYMENT_FILE), JSON.stringify(d, null, 2));
}

export function readDeployment(dir: string): Deployment {
  return JSON.parse(readFileSync(path.join(dir, DEPLOYMENT_FILE), 'utf8')) as Deployment;
}

export function readNodeKeys(dir: string, node: number): NodeKeys {
  return JSON.parse(readFileSync(path.join(dir, keysFile(node)), 'utf8')) as NodeKeys;
}
