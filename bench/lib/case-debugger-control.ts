// Debugger case: how fast execution control answers, seen from the main thread (where every
// front end lives). Stepping: stepOver round trips, each from the request to the 'stopped'
// event, on a loop that calls a function (debug-steps.lua). Pause: from em.pause() to the
// 'stopped' event while the script spins in `while true do end` (debug-spin.lua), which
// has no hook armed until the pause asks for one (ARCHITECTURE.md, decision 3).
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { DebugSession, markerLine, withWarmWasm } from './case-debugger-launch.js';
import { measurement, type Figure } from './figures.js';
import { scriptPath } from './paths.js';

/** Median stepOver round trip at most 2 ms. */
const TARGET_STEP_MS = 2;
/** Median pause latency at most 20 ms. */
const TARGET_PAUSE_MS = 20;
const STOP_TIMEOUT_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Per-step round trips in ms; checks that each step stops with reason 'step'. */
async function timeSteps(steps: number, progress: (m: string) => void): Promise<number[]> {
  const script = 'debug-steps';
  const s = new DebugSession();
  try {
    // Enough iterations that the loop outlasts the steps (two or three lines per iteration).
    await s.launch({ script, args: [String(steps)], mode: 'attached', breakpoints: [{ script, bps: [{ line: markerLine(script, 'step-start') }] }] });
    const first = await s.nextStop(STOP_TIMEOUT_MS);
    if (first.stop.reason !== 'breakpoint') throw new Error(`expected to stop at the breakpoint, stopped for ${first.stop.reason}`);
    s.checkBreakpoints();
    // From here on only the steps stop the script.
    await s.em.setBreakpoints(scriptPath(script), []);
    const ms: number[] = [];
    for (let i = 0; i < steps; i++) {
      if (i % 250 === 0) progress(`step ${i + 1}/${steps}`);
      const next = s.nextStop(STOP_TIMEOUT_MS);
      const t0 = performance.now();
      await s.em.stepOver();
      const { stop, at } = await next;
      if (stop.reason !== 'step') throw new Error(`step ${i + 1} stopped for ${stop.reason}: ${stop.description}`);
      ms.push(at - t0);
    }
    await s.em.continue();
    const code = await s.exited(60_000);
    if (code !== 0 || !s.stdout.includes(`steps\t${steps}\t`)) throw new Error(`${script}.lua ended badly (exit ${code}): ${s.stdout.slice(-200)}${s.describeErrors()}`);
    return ms;
  } finally {
    await s.close();
  }
}

/** Pause latencies in ms, each after the script spun freely for 20–50 ms. */
async function timePauses(pauses: number, progress: (m: string) => void): Promise<number[]> {
  const s = new DebugSession();
  try {
    await s.launch({ script: 'debug-spin', args: [], mode: 'attached' });
    await s.waitForOutput('spinning', STOP_TIMEOUT_MS);
    const ms: number[] = [];
    for (let i = 0; i < pauses; i++) {
      if (i % 10 === 0) progress(`pause ${i + 1}/${pauses}`);
      await sleep(20 + ((i * 7) % 31));
      const next = s.nextStop(STOP_TIMEOUT_MS);
      const t0 = performance.now();
      s.em.pause();
      const { stop, at } = await next;
      if (stop.reason !== 'pause') throw new Error(`pause ${i + 1} stopped for ${stop.reason}: ${stop.description}`);
      ms.push(at - t0);
      await s.em.continue();
    }
    return ms;
  } finally {
    await s.close();
  }
}

export const debuggerControl: BenchCase = {
  name: 'debugger-control',
  title: 'stepOver round trip and pause latency, request to stopped event, in-process',

  run(ctx: BenchContext): Promise<CaseResult> {
    return withWarmWasm(() => measure(ctx));
  },
};

async function measure(ctx: BenchContext): Promise<CaseResult> {
  const steps = ctx.quick ? 200 : 1000;
  const pauses = ctx.quick ? 7 : 21;
  const stepMs = await timeSteps(steps, ctx.progress);
  const pauseMs = await timePauses(pauses, ctx.progress);
  const p90 = (xs: number[]): string => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!.toFixed(2);
  const figures: Figure[] = [
    measurement(`stepOver round trip (${steps} steps)`, stepMs, TARGET_STEP_MS),
    measurement(`pause latency in while true do end (${pauses} pauses)`, pauseMs, TARGET_PAUSE_MS),
  ];
  const notes = [
    `stepOver: 90th percentile ${p90(stepMs)} ms, slowest ${Math.max(...stepMs).toFixed(2)} ms; pause: 90th percentile ${p90(pauseMs)} ms, slowest ${Math.max(...pauseMs).toFixed(2)} ms`,
  ];
  return { figures, notes };
}
