// The human-readable results table: one row per figure, case name on its first row.
import type { Figure } from './figures.js';
import type { CaseReport } from './runner.js';

const HEADER = ['case', 'measurement', 'median', 'ratio', 'target'];

function row(caseName: string, f: Figure): string[] {
  if (f.kind === 'measurement') return [caseName, f.name, `${f.median.toFixed(1)} ms`, '', ''];
  const target = f.target ? `≤ ${f.target.max}× ${f.target.met ? 'ok' : 'MISSED'}` : '';
  return [caseName, f.name, '', `${f.value.toFixed(2)}×`, target];
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
