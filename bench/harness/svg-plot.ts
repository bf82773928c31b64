// A dependency-free SVG line plot of benchmark results: one panel per PlotSpec (stacked
// vertically in one file), axes with ticks, optional log scales, one line per series, legend.
import type { BenchResult, ParamValue, PlotSpec } from './bench.js';

const PANEL_WIDTH_PX = 720;
const PANEL_HEIGHT_PX = 400;
const MARGIN = { left: 80, right: 180, top: 40, bottom: 50 };
const TICKS_LINEAR = 5;
/** Distinguishable on white, in a fixed order so a series keeps its colour across panels. */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

interface Series {
  label: string;
  points: [number, number][];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

function matches(r: BenchResult, where: Record<string, ParamValue> | undefined): boolean {
  return !where || Object.entries(where).every(([k, v]) => r.params[k] === v);
}

/** The lines of one plot: results named by `metric`, grouped by metric and the `series` param. */
export function seriesOf(spec: PlotSpec, results: readonly BenchResult[]): Series[] {
  const metrics = Array.isArray(spec.metric) ? spec.metric : [spec.metric];
  const byLabel = new Map<string, Series>();
  for (const r of results) {
    if (!metrics.includes(r.name) || !matches(r, spec.where)) continue;
    const x = Number(r.params[spec.x]);
    if (!Number.isFinite(x) || !Number.isFinite(r.value)) continue;
    if ((spec.logX && x <= 0) || (spec.logY && r.value <= 0)) continue;
    const parts = [metrics.length > 1 ? r.name : '', spec.series ? String(r.params[spec.series]) : ''].filter(Boolean);
    const label = parts.join(' ') || r.name;
    let s = byLabel.get(label);
    if (!s) byLabel.set(label, (s = { label, points: [] }));
    s.points.push([x, r.value]);
  }
  for (const s of byLabel.values()) s.points.sort((a, b) => a[0] - b[0]);
  return [...byLabel.values()];
}

interface Axis {
  toPx(v: number): number;
  ticks: number[];
}

function axis(values: number[], log: boolean, from: number, to: number): Axis {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (log) {
    const a = Math.floor(Math.log10(lo));
    const b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
    const ticks = Array.from({ length: b - a + 1 }, (_, i) => 10 ** (a + i));
    return { ticks, toPx: (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from) };
  }
  if (lo > 0 && lo < hi / 2) lo = 0; // start at zero unless the data sits in a narrow high band
  if (lo === hi) hi = lo + 1;
  const step = niceStep((hi - lo) / TICKS_LINEAR);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let t = start; t <= end + step / 2; t += step) ticks.push(+t.toPrecision(12));
  return { ticks, toPx: (v) => from + ((v - start) / (end - start)) * (to - from) };
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function unitOf(spec: PlotSpec, results: readonly BenchResult[]): string {
  const metrics = Array.isArray(spec.metric) ? spec.metric : [spec.metric];
  const units = new Set(results.filter((r) => metrics.includes(r.name)).map((r) => r.unit));
  return [...units].join(', ');
}

function panel(spec: PlotSpec, results: readonly BenchResult[], top: number): string {
  const series = seriesOf(spec, results);
  const x0 = MARGIN.left;
  const x1 = PANEL_WIDTH_PX - MARGIN.right;
  const y0 = top + PANEL_HEIGHT_PX - MARGIN.bottom;
  const y1 = top + MARGIN.top;
  const out: string[] = [`<text x="${PANEL_WIDTH_PX / 2}" y="${top + 24}" text-anchor="middle" font-size="16">${escapeXml(spec.title)}</text>`];
  const points = series.flatMap((s) => s.points);
  if (points.length === 0) {
    out.push(`<text x="${PANEL_WIDTH_PX / 2}" y="${top + PANEL_HEIGHT_PX / 2}" text-anchor="middle">no data</text>`);
    return out.join('\n');
  }
  const ax = axis(points.map((p) => p[0]), spec.logX ?? false, x0, x1);
  const ay = axis(points.map((p) => p[1]), spec.logY ?? false, y0, y1);
  out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/>`, `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`);
  for (const t of ax.ticks) {
    const x = ax.toPx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 5}" stroke="black"/>`, `<text x="${x}" y="${y0 + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ay.ticks) {
    const y = ay.toPx(t).toFixed(1);
    out.push(
      `<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${x0 - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${(x0 + x1) / 2}" y="${y0 + 40}" text-anchor="middle">${escapeXml(spec.x)}${spec.logX ? ' (log)' : ''}</text>`,
    `<text transform="translate(18 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(unitOf(spec, results))}${spec.logY ? ' (log)' : ''}</text>`,
  );
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${ax.toPx(x).toFixed(1)} ${ay.toPx(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of s.points) out.push(`<circle cx="${ax.toPx(x).toFixed(1)}" cy="${ay.toPx(y).toFixed(1)}" r="3" fill="${colour}"/>`);
    const ly = y1 + 10 + i * 20;
    out.push(
      `<line x1="${x1 + 15}" y1="${ly}" x2="${x1 + 40}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${x1 + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  return out.join('\n');
}

/** One SVG document with a panel per spec. */
export function renderPlots(specs: readonly PlotSpec[], results: readonly BenchResult[]): string {
  const height = PANEL_HEIGHT_PX * Math.max(1, specs.length);
  const body = specs.map((s, i) => panel(s, results, i * PANEL_HEIGHT_PX)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PANEL_WIDTH_PX}" height="${height}" viewBox="0 0 ${PANEL_WIDTH_PX} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
