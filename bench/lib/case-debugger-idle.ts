// Debugger case: what the debugger costs a script while it is not stopping it. Each workload
// (calls, tables) runs in this process three ways, interleaved: plain (launch with noDebug),
// attached with no breakpoint, and attached with one breakpoint in a function that is never
// called. The scripts time themselves (see case-debugger-launch.ts); figures are medians, and
// the ratios medians of the ratios within each round.
// The breakpoint sits in the wrapper script, not in the workload's file: where it is does not
// matter to the workload (before entry traps, any line breakpoint armed call hooks for every
// function; now its function's trap is the only thing armed).
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { checkSameOutput, clockOf, interleaveRuns, markerLine, runToEnd, withWarmWasm, type Plan, type RunResult } from './case-debugger-launch.js';
import { measurement, ratio, type Figure } from './figures.js';
import { median } from './stats.js';
import { scriptPath } from './paths.js';

/** Attached with nothing to stop at: at most 2% slower than plain. */
const TARGET_ATTACHED = 1.02;
/** An armed breakpoint that is never reached: at most 5% slower than plain. */
const TARGET_NEVER_CALLED = 1.05;

/**
 * Full-size runs use at least this many timed rounds: the 2% target is below the spread of
 * single runs on a shared machine (±5–10%), and the median needs more samples to settle.
 */
const MIN_FULL_RUNS = 15;

/** Sizes (arg[1]) for in-process runs: about 270 ms (calls) and 150 ms (tables) of plain CPU time here. */
const workloads = [
  { name: 'calls', full: 33, quick: 30 },
  { name: 'tables', full: 15, quick: 4 },
] as const;

const WRAPPER = 'debug-timed';

/** Median over rounds of a[i] / b[i] (samples of the same round share an index). */
function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

export const debuggerIdle: BenchCase = {
  name: 'debugger-idle',
  title: 'debugger attached but not stopping (no breakpoint; a breakpoint never reached) vs plain, in-process',

  run(ctx: BenchContext): Promise<CaseResult> {
    return withWarmWasm(() => measure(ctx));
  },
};

async function measure(ctx: BenchContext): Promise<CaseResult> {
  const figures: Figure[] = [];
  const notes: string[] = [];
  const neverCalled = markerLine(WRAPPER, 'never-called');
  const rounds = ctx.quick ? ctx.runs : Math.max(ctx.runs, MIN_FULL_RUNS);
  let clock = '';

  for (const w of workloads) {
    const size = String(ctx.quick ? w.quick : w.full);
    const args = [scriptPath(w.name), size];
    const plan = (mode: Plan['mode'], extra: Partial<Plan> = {}): Plan => ({ script: WRAPPER, args, mode, ...extra });
    const variants = [
      { name: 'plain', plan: plan('plain') },
      { name: 'attached, no breakpoint', plan: plan('attached') },
      {
        name: 'attached, breakpoint in a function never called',
        plan: plan('attached', { breakpoints: [{ script: WRAPPER, bps: [{ line: neverCalled }] }] }),
      },
    ];
    const label = `${w.name}(${size})`;
    const runs = await interleaveRuns<RunResult>(
      variants.map((v) => ({ name: v.name, run: () => runToEnd(v.plan) })),
      { runs: rounds, warmup: Math.max(ctx.warmup, 1) },
      (round, of) => ctx.progress(`${label}: round ${round}/${of}`),
    );
    checkSameOutput(variants.map((v) => v.name), runs);
    const [plain, attached, never] = runs.map((list) => list.map((r) => r.hotMs)) as [number[], number[], number[]];
    figures.push(measurement(`${label}: plain`, plain));
    figures.push(measurement(`${label}: attached, no breakpoint`, attached));
    figures.push(measurement(`${label}: breakpoint in a function never called`, never));
    // Each round's variants run back to back, so they share whatever else the machine is
    // doing at the time: the ratio within each round, then the median over rounds, cancels
    // the slow phases of a shared machine that a ratio of medians lets through.
    figures.push(ratio(`${w.name}: attached / plain`, 'median over rounds of (attached / plain)', pairedRatio(attached, plain), TARGET_ATTACHED));
    figures.push(ratio(`${w.name}: never-called breakpoint / plain`, 'median over rounds of (breakpoint never reached / plain)', pairedRatio(never, plain), TARGET_NEVER_CALLED));
    // Cross-checks: the ratio of medians, and the same by wall time.
    const wall = runs.map((list) => list.map((r) => r.wallMs)) as [number[], number[], number[]];
    notes.push(
      `${w.name}: ratio of medians: attached ${(median(attached) / median(plain)).toFixed(3)}×, never-called breakpoint ` +
      `${(median(never) / median(plain)).toFixed(3)}×; by wall time (paired): attached ${pairedRatio(wall[1], wall[0]).toFixed(3)}×, ` +
      `never-called breakpoint ${pairedRatio(wall[2], wall[0]).toFixed(3)}×`,
    );
    clock = clockOf(runs);
  }
  notes.unshift(`${rounds} interleaved runs per variant; times are of the workload alone (dofile in ${WRAPPER}.lua), worker start-up excluded, by ${clock}`);
  return { figures, notes };
}
