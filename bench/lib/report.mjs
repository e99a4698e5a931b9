// Formatting of results: a markdown table for the terminal, and the JSON file in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RESULTS_DIR, ROOT } from './paths.mjs';

export function fmtInt(n) {
  return n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US');
}

export function fmtMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

export function fmtKiB(kib) {
  return kib === undefined ? '—' : `${(kib / 1024).toFixed(1)} MiB`;
}

export function fmtK(n) {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : fmtInt(n);
}

/** rows: array of arrays of strings; the first row is the header. */
export function markdownTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}

export function timestamp(date = new Date()) {
  return date.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

/** Writes bench/results/<scenario>-<timestamp>.json and returns its path relative to the repo. */
export function writeResultsJson(scenario, data, date = new Date()) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${scenario}-${timestamp(date)}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return relative(ROOT, file);
}
