// Shared by the debugger cases (case-debugger-*.ts): runs a Lua script in this process through
// the debugger's main-thread API (ExecutionManager), plain (noDebug) or with the debugger
// attached, and reads back the time the script measured for its own hot section.
//
// Why the script times itself: a launch spends about 110 ms starting a worker, creating the
// Lua state and enabling the debugger before the first line runs, and that start-up varies
// by more than the overheads measured here. The scripts print "elapsed <wall s> <cpu s>"
// around the code that runs while the debugger's hooks and breakpoints are armed: wall is
// os.clock() (under wasmoon, wall time in the worker, in 1 ms steps); cpu is the worker
// thread's own CPU time (Linux /proc/thread-self/schedstat, ns). The figures use the CPU time
// where it exists: on an idle machine the two agree for these CPU-bound sections, and on a
// shared one the CPU time leaves out the time the worker waited for a core.
import * as fs from 'node:fs';
import { ExecutionManager, type SourceBreakpoint, type StoppedEvent } from '../../src/debug/index.js';
import { ScriptRuntime } from '../../src/runtime/index.js';
import { scriptPath } from './paths.js';
import { parseElapsed } from './timed-output.js';

export type Mode = 'plain' | 'attached';

export interface Plan {
  /** Script name in bench/scripts (without .lua). */
  script: string;
  args: string[];
  /** plain = launch({ noDebug: true }); attached = launch() with the debugger enabled. */
  mode: Mode;
  /** Set before launch; each must end up verified at the line asked for. */
  breakpoints?: { script: string; bps: SourceBreakpoint[] }[];
  /** Ends the run with an error when it takes longer (a hung worker must not hang the suite). */
  timeoutMs?: number;
}

export interface RunResult {
  /** The hot section's time as the script measured it: cpuMs where available, else wallMs. */
  hotMs: number;
  /** Wall time of the hot section (os.clock in the script), ms. */
  wallMs: number;
  /** The worker thread's CPU time in the hot section, ms; absent where it cannot be read. */
  cpuMs?: number;
  /** Standard output without the "elapsed" line: the checksum every variant must agree on. */
  stdout: string;
  /** Log point messages received (category 'console'); their text is discarded. */
  consoleMessages: number;
  /**
   * Main-thread ms from the arrival of the script's "begin" line to the arrival of its
   * "elapsed" line, when it prints "begin". Output and debugger events share one port, in
   * order, so this span includes delivering every log message printed in between.
   */
  deliveredMs?: number;
}

/** Line of `script` (bench/scripts/<script>.lua) that carries the comment "@bench:<marker>". */
export function markerLine(script: string, marker: string): number {
  const lines = fs.readFileSync(scriptPath(script), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`@bench:${marker}`));
  if (i < 0) throw new Error(`${script}.lua has no line marked @bench:${marker}`);
  return i + 1;
}

export interface TimedStop {
  stop: StoppedEvent;
  /** performance.now() when the 'stopped' event was emitted on this thread. */
  at: number;
}

/** One ExecutionManager on one script, with its output and stops collected as they come. */
export class DebugSession {
  readonly em = new ExecutionManager();
  stdout = '';
  stderr = '';
  consoleMessages = 0;
  exitCode: number | null = null;
  /** Called for each stdout chunk with its arrival time (performance.now()). */
  onStdout: ((text: string, at: number) => void) | null = null;
  private readonly stops: TimedStop[] = [];
  private stopWaiter: ((s: TimedStop | null) => void) | null = null;
  private readonly exitWaiters: (() => void)[] = [];

  constructor() {
    this.em.on('output', (o) => {
      if (o.category === 'console') this.consoleMessages++;
      else if (o.category === 'stderr') this.stderr += o.text;
      else {
        this.stdout += o.text;
        this.onStdout?.(o.text, performance.now());
      }
    });
    this.em.on('stopped', (stop) => {
      const s = { stop, at: performance.now() };
      const w = this.stopWaiter;
      this.stopWaiter = null;
      if (w) w(s); else this.stops.push(s);
    });
    this.em.on('exited', (code) => {
      this.exitCode = code;
      this.stopWaiter?.(null);
      this.stopWaiter = null;
      for (const w of this.exitWaiters.splice(0)) w();
    });
  }

  async launch(plan: Plan): Promise<void> {
    for (const { script, bps } of plan.breakpoints ?? []) await this.em.setBreakpoints(scriptPath(script), bps);
    await this.em.launch({ program: scriptPath(plan.script), args: plan.args, noDebug: plan.mode === 'plain' });
  }

  /** The next stop; rejects if the script ends or nothing comes within timeoutMs. */
  nextStop(timeoutMs: number): Promise<TimedStop> {
    const queued = this.stops.shift();
    if (queued) return Promise.resolve(queued);
    if (this.exitCode !== null) return Promise.reject(new Error(`the script ended (exit ${this.exitCode}) instead of stopping${this.describeErrors()}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => { this.stopWaiter = null; reject(new Error(`no stop within ${timeoutMs} ms`)); }, timeoutMs);
      this.stopWaiter = (s) => {
        clearTimeout(t);
        if (s) resolve(s);
        else reject(new Error(`the script ended (exit ${this.exitCode}) instead of stopping${this.describeErrors()}`));
      };
    });
  }

  /** Resolves with the exit code; rejects on an unexpected stop or a timeout. */
  exited(timeoutMs: number): Promise<number> {
    if (this.exitCode !== null) return Promise.resolve(this.exitCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the script did not end within ${timeoutMs} ms`)), timeoutMs);
      this.exitWaiters.push(() => { clearTimeout(t); resolve(this.exitCode!); });
      // A stop nobody asked for would leave the script blocked: report it.
      this.nextStop(timeoutMs).then(
        (s) => { clearTimeout(t); reject(new Error(`the script stopped unexpectedly (${s.stop.reason}: ${s.stop.description})`)); },
        () => undefined,
      );
    });
  }

  /** Resolves once stdout contains `text`. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (this.exitCode !== null) throw new Error(`the script ended before printing "${text}"${this.describeErrors()}`);
      if (performance.now() > deadline) throw new Error(`the script did not print "${text}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Throws unless every breakpoint was verified at the line it was set on. */
  checkBreakpoints(): void {
    for (const { bp, owner } of this.em.breakpointList()) {
      if (!bp.verified) throw new Error(`breakpoint ${bp.id} (${owner}) at ${bp.source}:${bp.line} was not verified: ${bp.message ?? 'no reason given'}`);
    }
  }

  describeErrors(): string {
    return this.stderr.trim() ? `: ${this.stderr.trim().slice(-500)}` : '';
  }

  async close(): Promise<void> {
    if (this.exitCode === null) await this.em.terminate().catch(() => undefined);
    await this.em.dispose();
  }
}

/** Runs a plan to its end and returns what the script measured. */
export async function runToEnd(plan: Plan): Promise<RunResult> {
  const s = new DebugSession();
  let begin: number | undefined;
  let delivered: number | undefined;
  s.onStdout = (text, at) => {
    if (/^begin$/m.test(text)) begin = at;
    if (/^elapsed /m.test(text) && begin !== undefined) delivered = at - begin;
  };
  try {
    await s.launch(plan);
    const code = await s.exited(plan.timeoutMs ?? 120_000);
    if (code !== 0) throw new Error(`${plan.script}.lua exited with ${code}${s.describeErrors()}`);
    s.checkBreakpoints();
    const t = parseElapsed(s.stdout, `${plan.script}.lua`);
    const result: RunResult = { hotMs: t.hotMs, wallMs: t.wallMs, stdout: t.rest, consoleMessages: s.consoleMessages };
    if (t.cpuMs !== undefined) result.cpuMs = t.cpuMs;
    if (delivered !== undefined) result.deliveredMs = delivered;
    return result;
  } finally {
    await s.close();
  }
}

/**
 * Runs fn with one idle runtime kept alive. V8 shares compiled WebAssembly between the
 * workers of a process only while some worker still holds the module: without a keeper,
 * whether a new worker starts on optimised code or on baseline code (about twice as slow
 * on call-heavy Lua, see "Where the time goes") depends on when the previous one was
 * collected, and that alone spreads the plain runs of one workload over 2x. With it every
 * run, plain or debugged, starts on the same optimised code.
 */
export async function withWarmWasm<T>(fn: () => Promise<T>): Promise<T> {
  const keeper = new ScriptRuntime();
  await keeper.start();
  try {
    return await fn();
  } finally {
    await keeper.stop();
  }
}

export interface Variant<T> {
  name: string;
  run(): Promise<T>;
}

/**
 * Runs variants in interleaved rounds (A, B, C, then B, C, A, then C, A, B, ...), the
 * in-process counterpart of interleave.ts, so drift in the machine falls on all alike and no
 * variant always follows the same one (a worker that just ended is still being torn down
 * while the next one runs). Untimed warm-up rounds first:
 * they also let V8 finish optimising the Lua VM's WebAssembly, which later workers in the
 * same process reuse. Returns each variant's timed results, in variant order.
 */
export async function interleaveRuns<T>(
  variants: readonly Variant<T>[],
  rounds: { runs: number; warmup: number },
  progress: (round: number, of: number) => void,
): Promise<T[][]> {
  const results: T[][] = variants.map(() => []);
  const total = rounds.warmup + rounds.runs;
  for (let round = 0; round < total; round++) {
    progress(round + 1, total);
    for (let k = 0; k < variants.length; k++) {
      // Each round starts with the next variant, so none always runs right after the same one.
      const v = (round + k) % variants.length;
      const r = await variants[v]!.run();
      if (round >= rounds.warmup) results[v]!.push(r);
    }
  }
  return results;
}

/** Which clock the hot-section figures come from, for the notes. */
export function clockOf(runs: readonly RunResult[][]): string {
  return runs.every((list) => list.every((r) => r.cpuMs !== undefined))
    ? "the worker thread's CPU time (/proc/thread-self/schedstat)"
    : 'wall time (os.clock in the worker): this system has no /proc/thread-self/schedstat';
}

/** Throws unless every run of every variant printed the same as the first. */
export function checkSameOutput(names: readonly string[], runs: readonly RunResult[][]): void {
  const expected = runs[0]?.[0]?.stdout;
  runs.forEach((list, v) => {
    for (const r of list) {
      if (r.stdout !== expected) throw new Error(`${names[v]} printed ${JSON.stringify(r.stdout)}, expected ${JSON.stringify(expected)}`);
    }
  });
}
