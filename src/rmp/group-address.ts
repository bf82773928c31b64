// Implicit naming (seed §5): a group name maps to an IP multicast (address, port, TTL) so
// that publishers and subscribers need to share nothing but the name. spec §8.4's function:
// FNV-1a 32 of the UTF-8 name; address in the administratively scoped 239.192.0.0/14; port
// from the hash's high bits. Two names that collide share a socket, not a group: every
// packet carries the full 32-bit hash (packets.ts `group`) and foreign ones are dropped.

/** 239.192.0.0/14: organisation-local scope (RFC 2365), 2^18 addresses; we use 2^14 of them. */
const SCOPED_BASE = (239 << 24) | (192 << 16);
const ADDRESS_BITS = 14;
/** Ports 10000–59999: clear of well-known and of Linux's default ephemeral range's start. */
const PORT_BASE = 10_000;
const PORT_SPAN = 50_000;
/** TTL 1 keeps datagrams on the LAN (the seed's testbed); a site would use up to 63. */
export const DEFAULT_TTL = 1;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export function fnv1a32(text: string): number {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h >>> 0;
}

export interface GroupAddress {
  name: string;
  hash: number;
  address: string;
  port: number;
  ttl: number;
}

export function groupAddress(name: string, ttl = DEFAULT_TTL): GroupAddress {
  if (name.length === 0) throw new RangeError('a group name must not be empty');
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new RangeError(`TTL must be 1..255, got ${ttl}`);
  const hash = fnv1a32(name);
  const a = (SCOPED_BASE | (hash & ((1 << ADDRESS_BITS) - 1))) >>> 0;
  const address = `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
  const port = PORT_BASE + ((hash >>> ADDRESS_BITS) % PORT_SPAN);
  return { name, hash, address, port, ttl };
}
