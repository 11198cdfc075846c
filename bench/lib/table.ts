// The human-readable results table: one row per figure, case name on its first row.
import type { Figure, Target } from './figures.js';
import type { CaseReport } from './runner.js';

const HEADER = ['case', 'measurement', 'median', 'ratio', 'target'];

/** Timings of 10 ms and more to 0.1, smaller ones to 0.01 (latencies of a few ms, µs per hit). */
const amount = (v: number): string => v.toFixed(Math.abs(v) >= 10 ? 1 : 2);

function target(t: Target | undefined, unit: string): string {
  return t ? `≤ ${t.max}${unit} ${t.met ? 'ok' : 'MISSED'}` : '';
}

function row(caseName: string, f: Figure): string[] {
  switch (f.kind) {
    case 'measurement': return [caseName, f.name, `${amount(f.median)} ms`, '', target(f.target, ' ms')];
    case 'quantity': return [caseName, f.name, `${amount(f.value)} ${f.unit}`, '', target(f.target, ` ${f.unit}`)];
    // Near 1 (overheads of a few percent) the third decimal matters.
    case 'ratio': return [caseName, f.name, '', `${f.value.toFixed(f.value > 0.9 && f.value < 1.1 ? 3 : 2)}×`, target(f.target, '×')];
  }
}

export function formatTable(reports: readonly CaseReport[]): string {
  const rows: string[][] = [];
  for (const r of reports) {
    r.figures.forEach((f, i) => rows.push(row(i === 0 ? r.name : '', f)));
    if (r.error) rows.push([r.name, `FAILED: ${r.error}`, '', '', '']);
  }
  const widths = HEADER.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === 1 && r[1]!.startsWith('FAILED') ? 0 : r[c]!.length))));
  const right = (c: number): boolean => c === 2 || c === 3;
  const line = (cells: string[]): string =>
    cells.map((s, c) => (right(c) ? s.padStart(widths[c]!) : s.padEnd(widths[c]!))).join('  ').trimEnd();
  const out = [line(HEADER), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const r of reports) for (const n of r.notes) out.push(`note (${r.name}): ${n}`);
  return out.join('\n');
}
