// castellan's configuration: every section and key, with its default and the reason for it.
// A later issue adds its section here, in one place; loading, env names (CASTELLAN_<SECTION>_
// <KEY>), --set and validation follow from this table.
import { integer, oneOf, text } from './setting.js';

/** A RamCast timestamp keeps the group id in its low byte (spec/ramcast.md, clock encoding). */
export const RAMCAST_GROUPS_MAX = 255;
/** A group is 2f+1 processes; 15 (f = 7) is far beyond what one host or a test cluster runs. */
export const RAMCAST_PROCESSES_PER_GROUP_MAX = 15;
/** A slot records its per-group slot index in 2 bytes (spec/ramcast.md, slot format). */
export const RAMCAST_RING_SLOTS_MAX = 0xffff;
/** Smallest slot that holds the slot header (length, id, destinations, CRC) for one group. */
export const RAMCAST_SLOT_BYTES_MIN = 64;
/** Largest slot: 1 MiB, so a ring region of many writers still fits in memory. */
export const RAMCAST_SLOT_BYTES_MAX = 1024 * 1024;
/** Longest poll spin, 1 s: beyond that a poller should be waiting, not spinning. */
export const RMA_POLL_SPIN_US_MAX = 1_000_000;
/** A seed is a u32 (the simulator's PRNG state). */
export const SIM_SEED_MAX = 0xffff_ffff;
/** Most seeds one sweep may run: 10 million, a night of simulation, not a typo's worth. */
export const SIM_SEEDS_MAX = 10_000_000;

export const sections = {
  log: {
    // warn: protocol runs are chatty and the CLI prints its own summary (as src/obs/log.ts).
    level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'warn'),
  },
  sim: {
    // 1: a fixed first seed makes a bare `castellan sim` give the same runs every time.
    firstSeed: integer(1, 0, SIM_SEED_MAX),
    // 100: enough interleavings to catch common ordering bugs, few enough that a sweep stays
    // interactive on the 2-core machines castellan is built on.
    seeds: integer(100, 1, SIM_SEEDS_MAX),
  },
  rma: {
    // shm: the embedded default runs on one host, and shm is the one backend always compiled
    // (DESIGN.md, Transports).
    backend: oneOf(['shm', 'verbs', 'fabric'], 'shm'),
    // 20 µs: a shm round trip is about 0.5 µs, so the spin covers a reply already in flight
    // many times over; spinning longer steals one of only two cores from the peer process.
    pollSpinUs: integer(20, 0, RMA_POLL_SPIN_US_MAX),
  },
  ramcast: {
    // 2: the fewest groups that exercise multi-group ordering (Skeen timestamps across groups).
    groups: integer(2, 1, RAMCAST_GROUPS_MAX),
    // 3: 2f+1 with f = 1, the smallest group that survives a crash (spec/ramcast.md §1).
    processesPerGroup: integer(3, 1, RAMCAST_PROCESSES_PER_GROUP_MAX),
    // 64: enough messages in flight per writer to keep the pipeline full at microsecond
    // latencies, while a region (writers × slots × slot size) stays around a MiB.
    ringSlots: integer(64, 1, RAMCAST_RING_SLOTS_MAX),
    // 256 B: the slot header and a 2-group × 3-process ack matrix plus a ~100 B payload (the
    // reference implementation used 98 B messages; spec/ramcast.md, ring region).
    slotBytes: integer(256, RAMCAST_SLOT_BYTES_MIN, RAMCAST_SLOT_BYTES_MAX),
  },
  bench: {
    // out/bench: beside `castellan up`'s out/up and ignored by git, so no run is lost and none
    // is committed by accident.
    outDir: text('out/bench'),
  },
};

export type Sections = typeof sections;
