// The simulator's public surface, for protocol scenarios and tests.
export type { Core, CoreEffect, CoreEvent, Json, NodeId, TimeUs } from './core.js';
export { Rng } from './prng.js';
export { DEFAULT_LINK, sampleLatency, serialisationUs, type LatencyDist, type LinkConfig, type LinkOverride, type NetworkConfig } from './link.js';
export type { ByzantineWrap, CoreFactory, CryptoAnswer, CryptoHandler, CryptoJob, FaultSpec, InputSpec, SimSetup } from './setup.js';
export type { NodeStatus, Property, RunEnd, RunView, Violation } from './property.js';
export { payloadDigest, serialiseRecord, Trace, type TraceKind, type TraceRecord } from './trace.js';
export { DEFAULT_MAX_EVENTS, RNG_STREAM, Simulator, type RunResult, type SimOptions } from './simulator.js';
export { changedParams, parseParams, type Params, type ParamValue, type Scenario } from './scenario.js';
export { replayCommand, runSeed, type RunSeedOptions } from './run-seed.js';
export { describeViolation, sweep, type SweepOptions, type SweepSummary, type SweepViolation } from './sweep.js';
export { loadBuiltinScenarios, loadScenarioModule } from './scenario-loader.js';
export * as byzantine from './byzantine.js';
export { drawFaults, type RandomFaultKind, type RandomFaultOptions } from './random-faults.js';
