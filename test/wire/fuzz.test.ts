// The codec fuzz run CI relies on (issue 2 acceptance: at least 100k inputs, only DecodeError).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { example, exampleChecked, exampleMessage } from './example-family.js';
import { FUZZ_INPUTS_DEFAULT, fuzzDecoder, fuzzFramer } from './fuzz-harness.js';

const SAMPLE_SEED = 7;
const SAMPLES = 300;
const messages = fc.sample(exampleMessage, { numRuns: SAMPLES, seed: SAMPLE_SEED });

test(`example family: ${FUZZ_INPUTS_DEFAULT} random and mutated inputs give only DecodeError`, () => {
  const report = fuzzDecoder({
    name: example.name,
    decode: (b) => example.decode(b),
    encode: (m) => example.encode(m),
    samples: messages.map((m) => example.encode(m)),
  });
  assert.equal(report.inputs, FUZZ_INPUTS_DEFAULT);
  // The mutations must reach past the header: some inputs are accepted, every code but the checksum occurs.
  assert.ok(report.accepted > 0);
  for (const code of ['ERR_WIRE_TRUNCATED', 'ERR_WIRE_LENGTH', 'ERR_WIRE_VERSION', 'ERR_WIRE_TAG', 'ERR_WIRE_TRAILING', 'ERR_WIRE_VALUE'] as const)
    assert.ok((report.rejected[code] ?? 0) > 0, `no input hit ${code}: ${JSON.stringify(report)}`);
});

test('checksummed family: mutated inputs are caught, by the trailer almost always', () => {
  const report = fuzzDecoder(
    {
      name: exampleChecked.name,
      decode: (b) => exampleChecked.decode(b),
      encode: (m) => exampleChecked.encode(m),
      samples: messages.map((m) => exampleChecked.encode(m)),
    },
    { inputs: 20_000, seed: 2 },
  );
  assert.ok((report.rejected.ERR_WIRE_CHECKSUM ?? 0) > report.inputs * 0.8, JSON.stringify(report));
});

test('framer: chunked, mutated streams of frames give only DecodeError, clean streams their frames', () => {
  const samples = messages.map((m) => example.encode(m));
  const report = fuzzFramer({
    samples,
    maxFrameBytes: Math.max(...samples.map((s) => s.length)),
    streams: 10_000,
    seed: 3,
    target: { name: example.name, decode: (b) => example.decode(b), encode: (m) => example.encode(m), samples },
  });
  assert.ok(report.accepted > 0 && (report.rejected.ERR_WIRE_LENGTH ?? 0) > 0, JSON.stringify(report));
});
