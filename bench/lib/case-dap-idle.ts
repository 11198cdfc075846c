// Cases 2 and 3 as a user meets them: a script run under a real `llmspell dap` process over
// stdio (what editors spawn), with no breakpoint and with one breakpoint in a function that is
// never called, against the same script under plain `llmspell run`. Each run is its own
// process, interleaved. The script times its own hot section (debug-timed.lua wraps the
// workload with dofile), so start-up, the DAP handshake and shutting down are left out of the
// ratios; whole-process times are in the notes.
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { interleaveRuns, markerLine } from './case-debugger-launch.js';
import { llmspellRun } from './commands.js';
import { runUnderDap } from './dap-process.js';
import { measurement, ratio, type Figure } from './figures.js';
import { scriptPath } from './paths.js';
import { timeProcess } from './process-timer.js';
import { median } from './stats.js';
import { parseElapsed, type TimedSection } from './timed-output.js';

/** Attached with nothing to stop at: at most 2% slower than plain. */
const TARGET_ATTACHED = 1.02;
/** An armed breakpoint that is never reached: at most 5% slower than plain. */
const TARGET_NEVER_CALLED = 1.05;
/** Full-size runs use at least this many rounds: the 2% target is below the spread of single runs. */
const MIN_FULL_RUNS = 11;
const WRAPPER = 'debug-timed';

/**
 * Sizes (arg[1]) chosen so the plain hot section takes about 250–400 ms in a fresh process here
 * (a breakpoint anywhere multiplies `calls` several times, see docs/performance.md).
 */
const workloads = [
  { name: 'calls', what: 'fib', full: 32, quick: 27 },
  { name: 'tables', what: 'table churn', full: 20, quick: 4 },
  { name: 'strings', what: 'string.format and friends', full: 25, quick: 5 },
] as const;

interface Run extends TimedSection {
  processMs: number;
}

function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

async function plainRun(args: string[]): Promise<Run> {
  const r = await timeProcess(llmspellRun(WRAPPER, args));
  return { ...parseElapsed(r.stdout, `llmspell run ${WRAPPER}.lua`), processMs: r.ms };
}

async function dapRun(args: string[], breakpointLines: number[]): Promise<Run> {
  const program = scriptPath(WRAPPER);
  const r = await runUnderDap({ program, args, breakpoints: [{ path: program, lines: breakpointLines }], timeoutMs: 120_000 });
  return { ...parseElapsed(r.stdout, `${WRAPPER}.lua under llmspell dap`), processMs: r.processMs };
}

export const dapIdle: BenchCase = {
  name: 'dap-idle',
  title: 'script under a real `llmspell dap` (stdio): no breakpoint; a breakpoint never reached; vs `llmspell run`',

  async run(ctx: BenchContext): Promise<CaseResult> {
    const figures: Figure[] = [];
    const notes: string[] = [];
    const neverCalled = markerLine(WRAPPER, 'never-called');
    const rounds = ctx.quick ? ctx.runs : Math.max(ctx.runs, MIN_FULL_RUNS);
    let cpuClock = true;

    for (const w of workloads) {
      const size = String(ctx.quick ? w.quick : w.full);
      const args = [scriptPath(w.name), size];
      const label = `${w.name}(${size})`;
      const variants = [
        { name: 'llmspell run', run: () => plainRun(args) },
        { name: 'llmspell dap, no breakpoint', run: () => dapRun(args, []) },
        { name: 'llmspell dap, breakpoint in a function never called', run: () => dapRun(args, [neverCalled]) },
      ];
      const runs = await interleaveRuns<Run>(variants, { runs: rounds, warmup: Math.max(ctx.warmup, 1) }, (round, of) =>
        ctx.progress(`${label}: round ${round}/${of}`));
      const expected = runs[0]![0]!.rest;
      runs.forEach((list, v) => {
        for (const r of list) if (r.rest !== expected) throw new Error(`${variants[v]!.name} printed ${JSON.stringify(r.rest)}, expected ${JSON.stringify(expected)}`);
      });
      cpuClock &&= runs.every((list) => list.every((r) => r.cpuMs !== undefined));
      const [plain, attached, never] = runs.map((list) => list.map((r) => r.hotMs)) as [number[], number[], number[]];
      figures.push(measurement(`${label}: llmspell run`, plain));
      figures.push(measurement(`${label}: llmspell dap, no breakpoint`, attached));
      figures.push(measurement(`${label}: llmspell dap, breakpoint in a function never called`, never));
      figures.push(ratio(`${w.name}: dap, no breakpoint / run`, 'median over rounds of (dap / run)', pairedRatio(attached, plain), TARGET_ATTACHED));
      figures.push(ratio(`${w.name}: dap, never-called breakpoint / run`, 'median over rounds of (dap with breakpoint / run)', pairedRatio(never, plain), TARGET_NEVER_CALLED));
      const wall = runs.map((list) => list.map((r) => r.wallMs)) as [number[], number[], number[]];
      const proc = runs.map((list) => median(list.map((r) => r.processMs))) as [number, number, number];
      notes.push(
        `${w.name} (${w.what}): ratio of medians: no breakpoint ${(median(attached) / median(plain)).toFixed(3)}×, never-called breakpoint ` +
          `${(median(never) / median(plain)).toFixed(3)}×; by wall time (paired): ${pairedRatio(wall[1], wall[0]).toFixed(3)}× and ` +
          `${pairedRatio(wall[2], wall[0]).toFixed(3)}×; whole process, start-up included (medians): run ${proc[0].toFixed(0)} ms, ` +
          `dap ${proc[1].toFixed(0)} ms, dap with breakpoint ${proc[2].toFixed(0)} ms`,
      );
    }
    notes.unshift(
      `${rounds} interleaved rounds, each run a fresh process; times are of the workload alone (dofile in ${WRAPPER}.lua), ` +
        `by ${cpuClock ? "the worker thread's CPU time (/proc/thread-self/schedstat)" : 'wall time (os.clock in the worker)'}`,
    );
    return { figures, notes };
  },
};
