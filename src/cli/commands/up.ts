// `castellan up`: the main job (npm start) on the embedded default, a local cluster on this
// machine. Prints each part's progress, then a summary of what was measured and checked.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { parseFlags, UsageError } from '../command.js';
import { mainJobParts } from '../main-job/parts.js';
import type { PartResult } from '../main-job/part.js';

const usage = `usage: castellan up [--only PART[,PART]] [--json] [--out DIR]

Runs castellan's main job on this machine: a local cluster exercising every protocol that
exists, then prints what it measured and which safety properties it checked.

  --only PARTS  run only these parts (${mainJobParts.map((p) => p.name).join(', ')})
  --json        print the summary as one JSON object on stdout
  --out DIR     also write the summary to DIR/up.json (default: out/up)
`;

export const upCommand = {
  name: 'up',
  summary: 'run the main job: a local cluster exercising every protocol, with a summary',
  usage,
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags(argv, { options: { only: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' } } });
    const wanted = values.only?.split(',').map((s) => s.trim());
    const unknown = wanted?.filter((w) => !mainJobParts.some((p) => p.name === w)) ?? [];
    if (unknown.length) throw new UsageError(`unknown part(s): ${unknown.join(', ')}`);
    const parts = mainJobParts.filter((p) => !wanted || wanted.includes(p.name));
    const results: Record<string, PartResult> = {};
    let allHeld = true;
    for (const [i, part] of parts.entries()) {
      process.stderr.write(`[${i + 1}/${parts.length}] ${part.name}: ${part.description}\n`);
      const started = Date.now();
      const result = await part.run((line) => process.stderr.write(`    ${line}\n`));
      results[part.name] = result;
      allHeld &&= Object.values(result.checked).every(Boolean);
      process.stderr.write(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    const outDir = values.out ?? path.join('out', 'up');
    mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, 'up.json');
    writeFileSync(outFile, JSON.stringify({ allHeld, parts: results }, null, 2) + '\n');
    if (values.json) {
      process.stdout.write(JSON.stringify({ allHeld, parts: results }) + '\n');
    } else {
      const out: string[] = ['', 'castellan main job: summary'];
      for (const [name, r] of Object.entries(results)) {
        out.push(`  ${name}`);
        for (const [k, v] of Object.entries(r.measured)) out.push(`    measured  ${k}: ${v}`);
        for (const [k, ok] of Object.entries(r.checked)) out.push(`    ${ok ? 'held    ' : 'VIOLATED'}  ${k}`);
      }
      out.push('', allHeld ? 'every checked property held' : 'SOME PROPERTIES WERE VIOLATED', `summary written to ${outFile}`);
      process.stdout.write(out.join('\n') + '\n');
    }
    return allHeld ? 0 : 1;
  },
} satisfies Command;
