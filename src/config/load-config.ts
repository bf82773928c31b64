// Loads the one configuration object. Precedence, lowest first: the defaults in sections.ts,
// the JSON file (--config, else CASTELLAN_CONFIG), environment variables
// CASTELLAN_<SECTION>_<KEY> (key in UPPER_SNAKE: rma.pollSpinUs → CASTELLAN_RMA_POLL_SPIN_US),
// then --set section.key=value flags. Every problem is reported at once, each naming the path,
// the bad value, where it came from and what is expected.
import { readFileSync } from 'node:fs';
import { sections, type Sections } from './sections.js';
import type { Setting, ValueOf } from './setting.js';

export type Config = {
  readonly [S in keyof Sections]: { readonly [K in keyof Sections[S]]: ValueOf<Sections[S][K]> };
};

export const CONFIG_FILE_ENV = 'CASTELLAN_CONFIG';
const ENV_PREFIX = 'CASTELLAN_';

export interface ConfigSources {
  /** Path of the JSON file; falls back to env CASTELLAN_CONFIG; none means defaults. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** `section.key=value` strings from --set, applied in order. */
  sets?: readonly string[] | undefined;
}

export interface ConfigIssue {
  path: string;
  source: string;
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'ERR_CASTELLAN_CONFIG';
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.path} (from ${i.source}): ${i.message}`).join('\n')}`);
  }
}

type AnySetting = Setting<unknown>;
const table = sections as unknown as Record<string, Record<string, AnySetting>>;

/** The environment variable that overrides `section.key`. */
export function configEnvName(section: string, key: string): string {
  return ENV_PREFIX + `${section}_${key.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();
}

function known(section: string): string {
  return Object.keys(table[section] ?? {}).join(', ');
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const values: Record<string, Record<string, unknown>> = {};
  for (const [s, keys] of Object.entries(table)) {
    values[s] = {};
    for (const [k, setting] of Object.entries(keys)) values[s][k] = setting.default;
  }

  function apply(section: string, key: string, raw: unknown, source: string, parse: 'json' | 'text'): void {
    const path = `${section}.${key}`;
    const setting = table[section]?.[key];
    if (!setting) {
      const message = table[section]
        ? `unknown key; ${section} has: ${known(section)}`
        : `unknown section; sections are: ${Object.keys(table).join(', ')}`;
      issues.push({ path, source, message });
      return;
    }
    const v = parse === 'json' ? setting.fromJson(raw) : setting.fromText(String(raw));
    if (v === undefined) issues.push({ path, source, message: `${JSON.stringify(raw)} is not ${setting.expected}` });
    else values[section]![key] = v;
  }

  const file = sources.file ?? env[CONFIG_FILE_ENV];
  if (file) {
    const source = `file ${file}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError([{ path: '(file)', source, message: `cannot read JSON: ${(e as Error).message}` }]);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new ConfigError([{ path: '(file)', source, message: 'expected a JSON object of sections' }]);
    for (const [section, keys] of Object.entries(parsed)) {
      if (!table[section]) {
        issues.push({ path: section, source, message: `unknown section; sections are: ${Object.keys(table).join(', ')}` });
        continue;
      }
      if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
        issues.push({ path: section, source, message: `${JSON.stringify(keys)} is not an object of keys` });
        continue;
      }
      for (const [key, raw] of Object.entries(keys)) apply(section, key, raw, source, 'json');
    }
  }

  for (const [section, keys] of Object.entries(table)) {
    const names = new Set<string>();
    for (const key of Object.keys(keys)) {
      const name = configEnvName(section, key);
      names.add(name);
      const raw = env[name];
      if (raw !== undefined) apply(section, key, raw, `env ${name}`, 'text');
    }
    // A misspelt variable would otherwise be ignored without a word.
    const sectionPrefix = `${ENV_PREFIX}${section.toUpperCase()}_`;
    for (const name of Object.keys(env))
      if (name.startsWith(sectionPrefix) && !names.has(name))
        issues.push({ path: `${section}.?`, source: `env ${name}`, message: `no such key; ${section} has: ${known(section)}` });
  }

  for (const set of sources.sets ?? []) {
    const m = /^([A-Za-z]+)\.([A-Za-z]+)=(.*)$/s.exec(set);
    if (!m) issues.push({ path: set, source: '--set', message: 'expected section.key=value' });
    else apply(m[1]!, m[2]!, m[3]!, `--set ${set}`, 'text');
  }

  if (issues.length) throw new ConfigError(issues);
  return values as unknown as Config;
}

export const configArgsHelp = `  --config FILE      configuration JSON (default: env ${CONFIG_FILE_ENV}, else built-in defaults)
  --set S.K=VALUE    override one setting (repeatable); env ${ENV_PREFIX}<SECTION>_<KEY> also overrides`;
