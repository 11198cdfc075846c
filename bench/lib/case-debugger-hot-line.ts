// Debugger case: the cost of a breakpoint on a hot line that does not stop. One loop line
// (debug-hot-line.lua) runs N times, in this process, three ways interleaved: plain
// (noDebug), with a breakpoint whose condition is always false, and with a log point. The
// per-hit cost is the difference of the medians divided by N; it includes everything the
// debugger does for that line (line hooks in the function, the condition or message), which
// is what a user pays.
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { checkSameOutput, clockOf, interleaveRuns, markerLine, runToEnd, withWarmWasm, type Plan, type RunResult } from './case-debugger-launch.js';
import { measurement, quantity, type Figure } from './figures.js';
import { median } from './stats.js';

const SCRIPT = 'debug-hot-line';
/** A false condition on a hot line: at most 1 µs per evaluation. */
const TARGET_CONDITION_US = 1;
/** Always false, and reads a local of the frame, as real conditions do. */
const CONDITION = 'i < 0';
/** One local interpolated, as a typical log point. */
const LOG_MESSAGE = 'i = {i}';

export const debuggerHotLine: BenchCase = {
  name: 'debugger-hot-line',
  title: 'a false conditional breakpoint and a log point on a line hit N times, vs plain, in-process',

  run(ctx: BenchContext): Promise<CaseResult> {
    return withWarmWasm(() => measure(ctx));
  },
};

async function measure(ctx: BenchContext): Promise<CaseResult> {
  const hits = ctx.quick ? 100_000 : 300_000;
  const line = markerLine(SCRIPT, 'hot-line');
  const plan = (mode: Plan['mode'], bp?: Plan['breakpoints']): Plan => ({ script: SCRIPT, args: [String(hits)], mode, breakpoints: bp });
  const variants = [
    { name: 'plain', plan: plan('plain'), messages: 0 },
    { name: `condition "${CONDITION}"`, plan: plan('attached', [{ script: SCRIPT, bps: [{ line, condition: CONDITION }] }]), messages: 0 },
    { name: `log point "${LOG_MESSAGE}"`, plan: plan('attached', [{ script: SCRIPT, bps: [{ line, logMessage: LOG_MESSAGE }] }]), messages: hits },
  ];
  const runs = await interleaveRuns<RunResult>(
    variants.map((v) => ({ name: v.name, run: () => runToEnd(v.plan) })),
    { runs: ctx.runs, warmup: Math.max(ctx.warmup, 1) },
    (round, of) => ctx.progress(`hot line x${hits}: round ${round}/${of}`),
  );
  checkSameOutput(variants.map((v) => v.name), runs);
  runs.forEach((list, i) => {
    for (const r of list) {
      if (r.consoleMessages !== variants[i]!.messages) {
        throw new Error(`${variants[i]!.name}: ${r.consoleMessages} log messages arrived, expected ${variants[i]!.messages}`);
      }
    }
  });
  const hot = runs.map((list) => list.map((r) => r.hotMs)) as [number[], number[], number[]];
  const delivered = runs.map((list) => list.map((r) => r.deliveredMs ?? NaN)) as [number[], number[], number[]];
  const [plain, condition, log] = hot.map(median) as [number, number, number];
  const usPerHit = (ms: number): number => (ms * 1000) / hits;

  const figures: Figure[] = [
    measurement(`hot line x${hits}: plain`, hot[0]),
    measurement(`hot line x${hits}: condition "${CONDITION}"`, hot[1]),
    measurement(`hot line x${hits}: log point "${LOG_MESSAGE}"`, hot[2]),
    measurement(`hot line x${hits}: log point, until the last message arrived`, delivered[2]),
    quantity('false condition: per evaluation', `(median(condition) - median(plain)) / ${hits}`, 'µs', usPerHit(condition - plain), TARGET_CONDITION_US),
    quantity('log point: per message, in the script', `(median(log point) - median(plain)) / ${hits}`, 'µs', usPerHit(log - plain)),
    quantity(
      'log point: per message, delivered',
      `(median(log point, main thread) - median(plain, main thread)) / ${hits}`,
      'µs',
      usPerHit(median(delivered[2]) - median(delivered[0])),
    ),
  ];
  const wall = runs.map((list) => median(list.map((r) => r.wallMs))) as [number, number, number];
  const notes = [
    `hot-line times are the loop's own (measured in ${SCRIPT}.lua), by ${clockOf(runs)}; "delivered" is wall time on the main thread, ` +
      `from the script's "begin" line to its "elapsed" line, which arrives after every log message`,
    `by wall time: false condition ${usPerHit(wall[1] - wall[0]).toFixed(2)} µs per evaluation, log point ${usPerHit(wall[2] - wall[0]).toFixed(2)} µs per message`,
  ];
  return { figures, notes };
}
