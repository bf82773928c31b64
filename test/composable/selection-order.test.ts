// BLink's virtual-link strategies (Lane 2008 §4.4): the properties of selection order P
// (Properties 4.4.1–4.4.3, Lemma 4.4.1) for every size pair up to 13, and Table 4.1's bounds
// brute-forced over every fault placement for small f: order P for the sub-protocols with a
// Byzantine sender, peer walking for benign senders — and the spec's observation that plain
// order P does NOT meet fA + fB when both LMs are benign, which is why peer walking exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycleLength, gcd, lcm, linkByOrderP, linkByWalk, linkTimeoutUs, orderP, vlMaxBound, type WalkPosition } from '../../src/composable/selection-order.js';

const SIZES_MAX = 13;

function* pairs(): Generator<[number, number]> {
  for (let nA = 1; nA <= SIZES_MAX; nA++) for (let nB = 1; nB <= nA; nB++) yield [nA, nB];
}

test('Property 4.4.1: each series consists of L = lcm(A′, B′) distinct virtual links', () => {
  for (const [nA, nB] of pairs()) {
    const L = lcm(nA, nB);
    for (let s = 0; s < nA; s++) {
      const seen = new Set<string>();
      for (let i = 0; i < L; i++) seen.add(orderP(s * L + i, nA, nB).join(','));
      assert.equal(seen.size, L, `nA ${nA} nB ${nB} series ${s}`);
    }
  }
});

test('Property 4.4.2: series s ≢ t (mod gcd) are disjoint', () => {
  for (const [nA, nB] of pairs()) {
    const L = lcm(nA, nB);
    const g = gcd(nA, nB);
    const series = (s: number) => new Set(Array.from({ length: L }, (_, i) => orderP(s * L + i, nA, nB).join(',')));
    for (let s = 0; s < nA; s++)
      for (let t = s + 1; t < nA; t++) {
        if ((t - s) % g === 0) continue;
        const a = series(s);
        for (const l of series(t)) assert.ok(!a.has(l), `nA ${nA} nB ${nB}: series ${s} and ${t} share ${l}`);
      }
  }
});

test('Property 4.4.3: any gcd consecutive series hold all A′·B′ links exactly once', () => {
  for (const [nA, nB] of pairs()) {
    const L = lcm(nA, nB);
    const g = gcd(nA, nB);
    for (let s = 0; s < nA; s++) {
      const counts = new Map<string, number>();
      for (let k = s * L; k < (s + g) * L; k++) {
        const key = orderP(k, nA, nB).join(',');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      assert.equal(counts.size, nA * nB, `nA ${nA} nB ${nB} from series ${s}`);
      assert.ok([...counts.values()].every((c) => c === 1));
    }
  }
});

test('Lemma 4.4.1: any A′−1 consecutive links use distinct servers of the larger LM', () => {
  for (const [nA, nB] of pairs()) {
    const period = nA * lcm(nA, nB);
    for (let start = 0; start < period; start++) {
      const used = new Set<number>();
      for (let k = start; k < start + nA - 1; k++) used.add(orderP(k, nA, nB)[0]);
      assert.equal(used.size, nA - 1, `nA ${nA} nB ${nB} from ${start}`);
    }
  }
});

test('a link from the smaller LM takes its own side of the larger LM\u2019s order P (decision D7)', () => {
  for (let k = 0; k < 40; k++) {
    const [a, b] = orderP(k, 7, 4);
    assert.deepEqual(linkByOrderP(k, 7, 4), { forwarder: a, peer: b });
    assert.deepEqual(linkByOrderP(k, 4, 7), { forwarder: b, peer: a });
  }
});

/** Every way to choose `k` of `n` servers as faulty. */
function* subsets(n: number, k: number, from = 0, chosen: number[] = []): Generator<Set<number>> {
  if (chosen.length === k) return yield new Set(chosen);
  for (let i = from; i <= n - (k - chosen.length); i++) yield* subsets(n, k, i + 1, [...chosen, i]);
}

/** The longest cyclic run of virtual links with a faulty endpoint in one period of order P. */
function worstRunP(nA: number, nB: number, badA: Set<number>, badB: Set<number>): number {
  const period = nA * lcm(nA, nB);
  const bad = Array.from({ length: period }, (_, k) => {
    const [a, b] = orderP(k, nA, nB);
    return badA.has(a) || badB.has(b);
  });
  if (bad.every(Boolean)) return Infinity;
  let best = 0;
  for (let k = 0, run = 0; k < 2 * period; k++) {
    run = bad[k % period] ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

function worstOverPlacements(nA: number, fA: number, nB: number, fB: number): number {
  let worst = 0;
  for (const a of subsets(nA, fA)) for (const b of subsets(nB, fB)) worst = Math.max(worst, worstRunP(nA, nB, a, b));
  return worst;
}

const size = (kind: 'byz' | 'benign', f: number) => (kind === 'byz' ? 3 * f + 1 : 2 * f + 1);
const F_MAX = 3;

test('Table 4.1: order P keeps every worst run within VLmax when a Byzantine LM is involved (all placements, f ≤ 3)', () => {
  const cases: Array<['byz-byz' | 'byz-benign' | 'benign-byz', 'byz' | 'benign', 'byz' | 'benign']> = [
    ['byz-byz', 'byz', 'byz'],
    ['byz-benign', 'byz', 'benign'],
    ['benign-byz', 'benign', 'byz'],
  ];
  let checked = 0;
  for (const [sub, kindA, kindB] of cases)
    for (let fA = 1; fA <= F_MAX; fA++)
      for (let fB = 0; fB <= F_MAX; fB++) {
        const nA = size(kindA, fA);
        const nB = size(kindB, fB);
        if (nA < nB || (sub === 'byz-byz' && fA < fB)) continue; // A is the larger LM (§4.4)
        const worst = worstOverPlacements(nA, fA, nB, fB);
        const bound = vlMaxBound(sub, fA, fB);
        assert.ok(worst <= bound, `${sub} fA ${fA} fB ${fB}: worst run ${worst} > bound ${bound}`);
        checked++;
      }
  assert.ok(checked >= 15, `only ${checked} cases`);
});

test('Eq. 4.1 is exact for (Byz, Byz) with fA = fB: the worst run equals fA + fB (e.g. 6 at f = 3)', () => {
  for (let f = 1; f <= F_MAX; f++) {
    const exact = Math.floor(f / (2 * f + 1)) * (3 * f + 1) + f + (f % (2 * f + 1));
    assert.equal(worstOverPlacements(3 * f + 1, f, 3 * f + 1, f), exact);
  }
});

test('Table 4.1 correct-link ratios: every block of A′·B′ links has ≥ 4/9, 1/3, 1/3, 1/4 correct links', () => {
  const ratios: Array<['byz' | 'benign', 'byz' | 'benign', number]> = [['byz', 'byz', 4 / 9], ['byz', 'benign', 1 / 3], ['benign', 'byz', 1 / 3], ['benign', 'benign', 1 / 4]];
  for (const [kA, kB, min] of ratios)
    for (let fA = 1; fA <= F_MAX; fA++)
      for (let fB = 1; fB <= F_MAX; fB++) {
        const nA = size(kA, fA);
        const nB = size(kB, fB);
        if (nA < nB) continue;
        const badA = new Set(Array.from({ length: fA }, (_, i) => i));
        const badB = new Set(Array.from({ length: fB }, (_, i) => i));
        const L = lcm(nA, nB);
        for (let s = 0; s < nA; s++) {
          let correct = 0;
          for (let k = s * L; k < s * L + nA * nB; k++) {
            const [a, b] = orderP(k, nA, nB);
            if (!badA.has(a) && !badB.has(b)) correct++;
          }
          assert.ok(correct / (nA * nB) >= min, `${kA}/${kB} fA ${fA} fB ${fB}: ${correct}/${nA * nB} < ${min}`);
        }
      }
});

test('plain order P exceeds fA + fB between two benign LMs, so (benign, benign) needs peer walking', () => {
  let exceeded = false;
  for (let fA = 1; fA <= 2 && !exceeded; fA++)
    for (let fB = 1; fB <= fA && !exceeded; fB++) exceeded = worstOverPlacements(2 * fA + 1, fA, 2 * fB + 1, fB) > fA + fB;
  assert.ok(exceeded);
});

test('peer walking (§4.4.2): never more than fA + fB consecutive bad links, whatever the faulty forwarders do (f ≤ 3)', () => {
  for (let fA = 0; fA <= F_MAX; fA++)
    for (let fB = 0; fB <= F_MAX; fB++) {
      const nA = 2 * fA + 1;
      const nB = 2 * fB + 1;
      for (const badA of subsets(nA, fA))
        for (const badB of subsets(nB, fB))
          for (let fwd = 0; fwd < nA; fwd++)
            for (let peer = 0; peer < nB; peer++)
              for (const skipsPeer of [false, true]) {
                // A faulty forwarder spends one link and is then replaced (ping/hello); it may
                // or may not have moved the peer on before crashing. A correct forwarder moves to
                // the next peer each time its link times out; it is never replaced.
                const pos: WalkPosition = { forwarderTurn: fwd, peerTurn: peer };
                let run = 0;
                for (;;) {
                  const l = linkByWalk(pos, nA, nB);
                  if (!badA.has(l.forwarder) && !badB.has(l.peer)) break;
                  run++;
                  if (badA.has(l.forwarder)) {
                    pos.forwarderTurn++;
                    if (skipsPeer) pos.peerTurn++;
                  } else pos.peerTurn++;
                  assert.ok(run <= fA + fB, `fA ${fA} fB ${fB}: run ${run} from (${fwd}, ${peer})`);
                }
              }
    }
});

test('the link timeout doubles after each full cycle of virtual links, up to a cap', () => {
  const cycle = cycleLength('order-p', 4, 4);
  assert.equal(cycle, 16);
  assert.equal(linkTimeoutUs(1000, 0, cycle), 1000);
  assert.equal(linkTimeoutUs(1000, 15, cycle), 1000);
  assert.equal(linkTimeoutUs(1000, 16, cycle), 2000);
  assert.equal(linkTimeoutUs(1000, 33, cycle), 4000);
  assert.equal(linkTimeoutUs(1000, 10_000, cycle), 64_000);
  assert.equal(cycleLength('walk', 3, 5), 8);
});
