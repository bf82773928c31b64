// BLink's virtual links (Lane 2008 §4.4). A logical link from one LM to another is carried by
// one virtual link at a time: a (forwarder, peer) pair of servers, one in each LM. When the
// link is suspected, the sending LM moves to the next virtual link of its strategy:
//  * selection order P (§4.4.1), used whenever the sending LM is Byzantine fault-tolerant:
//    series s = ⌊k / L⌋ mod A', index i = k mod L, link (i + s mod A', i mod B'), where A is
//    the LARGER LM, L = lcm(A', B');
//  * peer walking (§4.4.2), used when the sending LM is benign (the (benign, benign) and the
//    optimized (benign, Byzantine) sub-protocols): the forwarder stays until it is
//    unresponsive and walks the receiving LM's servers itself; a new forwarder resumes at the
//    peer where the previous one stopped.
// Spec §15.20 leaves open which LM is "A" when the sender is the smaller: P is always
// computed on (larger, smaller) and each endpoint takes its own LM's side (decisions D7), so
// Lemma 4.4.1 (A'−1 consecutive links use distinct servers of the larger LM) holds in both
// directions.

export const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
export const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/** Virtual link k of selection order P over LM_A (nA ≥ nB servers) and LM_B: [A server, B server]. */
export function orderP(k: number, nA: number, nB: number): [number, number] {
  if (nA < nB) throw new RangeError(`order P needs the larger LM first (nA ${nA} < nB ${nB})`);
  const L = lcm(nA, nB);
  const s = Math.floor(k / L) % nA;
  const i = k % L;
  return [(i + s) % nA, i % nB];
}

export interface VirtualLink {
  /** Server id in the sending LM. */
  forwarder: number;
  /** Server id in the receiving LM. */
  peer: number;
}

/** Virtual link k of order P for a link from an LM of `nSender` servers to one of `nReceiver`. */
export function linkByOrderP(k: number, nSender: number, nReceiver: number): VirtualLink {
  if (nSender >= nReceiver) {
    const [forwarder, peer] = orderP(k, nSender, nReceiver);
    return { forwarder, peer };
  }
  const [peer, forwarder] = orderP(k, nReceiver, nSender);
  return { forwarder, peer };
}

/** Peer walking: the logical link's position is (forwarder turn, peer turn), both only grow. */
export interface WalkPosition {
  forwarderTurn: number;
  peerTurn: number;
}

export function linkByWalk(pos: WalkPosition, nSender: number, nReceiver: number): VirtualLink {
  return { forwarder: pos.forwarderTurn % nSender, peer: pos.peerTurn % nReceiver };
}

/** How many virtual links one full cycle of a strategy tries before repeating itself. */
export function cycleLength(strategy: 'order-p' | 'walk', nSender: number, nReceiver: number): number {
  // Order P: g consecutive series of L links cover all A'·B' links (Property 4.4.3). Peer
  // walking: one turn of every server on both sides already exceeds VLmax = fA + fB.
  return strategy === 'order-p' ? nSender * nReceiver : nSender + nReceiver;
}

/**
 * The link timeout after `rotations` changes of virtual link: doubled after each full cycle
 * (§4.4.1 "the BLink timeout grows after each full cycle"; growth rule decided in D8). The
 * exponent is capped so a long-partitioned link does not wait for ever once it heals.
 */
export function linkTimeoutUs(baseUs: number, rotations: number, cycle: number): number {
  return baseUs * 2 ** Math.min(LINK_TIMEOUT_DOUBLINGS_MAX, Math.floor(rotations / cycle));
}

/** 2^6 = 64 × the base: beyond any transient the tests and benches produce (D8). */
export const LINK_TIMEOUT_DOUBLINGS_MAX = 6;

/** Table 4.1 / Eqs 4.1–4.2: the worst run of faulty virtual links order P admits (fA ≥ fB, A the larger LM). */
export function vlMaxBound(sub: 'byz-byz' | 'byz-benign' | 'benign-byz' | 'benign-benign', fA: number, fB: number): number {
  switch (sub) {
    case 'byz-byz':
      return 2 * fA; // Lemma 4.4.2
    case 'byz-benign':
      return Math.max(Math.floor(2.5 * fA), 3 * fA - 2); // Lemma 4.4.4
    case 'benign-byz':
      return Math.max(Math.floor((5 * fA) / 3), 2 * fA - 1); // Lemma 4.4.3 (the larger LM benign)
    case 'benign-benign':
      return fA + fB; // peer walking, §4.4.7
  }
}
