// The shared runner: runs each case, keeping going when one fails, and collects the reports.
import type { BenchCase, BenchContext } from './bench-case.js';
import type { Figure } from './figures.js';

export interface CaseReport {
  name: string;
  title: string;
  figures: Figure[];
  notes: string[];
  /** Set when the case failed; its figures are then missing. */
  error?: string;
}

export async function runCases(cases: readonly BenchCase[], ctx: BenchContext): Promise<CaseReport[]> {
  const reports: CaseReport[] = [];
  for (const c of cases) {
    ctx.progress(`case ${c.name}: ${c.title}`);
    try {
      const { figures, notes } = await c.run({ ...ctx, progress: (m) => ctx.progress(`  ${c.name}: ${m}`) });
      reports.push({ name: c.name, title: c.title, figures, notes });
    } catch (e) {
      reports.push({ name: c.name, title: c.title, figures: [], notes: [], error: e instanceof Error ? e.message : String(e) });
    }
  }
  return reports;
}
