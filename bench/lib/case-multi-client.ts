// Case 10: what a second DAP client costs. A real kernel (`llmspell kernel start`) runs a cell
// that dofile()s debug-hot-line.lua, whose marked line runs N times; DAP clients attach on its
// dap_port with the key. Client A always holds the breakpoint on the hot line (a condition that
// is never true, or a log point); the variants add client B, attached with no breakpoint of its
// own, or (for the condition) with the same breakpoint too. The script times its own loop (CPU
// time of the kernel's worker); for log points, where every message goes to every client, the
// wall time from sending the cell to the last message reaching every client is measured too.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { interleaveRuns, markerLine } from './case-debugger-launch.js';
import { DapWireClient, type DapMessage } from './dap-wire-client.js';
import { measurement, quantity, ratio, type Figure } from './figures.js';
import { JupyterCellRunner, startKernel, type KernelInfo } from './kernel-process.js';
import { scriptPath } from './paths.js';
import { median } from './stats.js';
import { parseElapsed } from './timed-output.js';

/** A second client: at most 5% more than one. */
const TARGET_TWO_CLIENTS = 1.05;
const MIN_FULL_RUNS = 11;
const SCRIPT = 'debug-hot-line';
const CONDITION = 'i < 0';
const LOG_MESSAGE = 'i = {i}';
const CELL_TIMEOUT_MS = 120_000;

type Bp = { line: number; condition?: string; logMessage?: string };

/** One attached DAP client that counts the log point messages (console output) it receives. */
class AttachedClient {
  console = 0;
  stdout = '';
  private constructor(readonly dap: DapWireClient) {
    dap.onEvent = (m: DapMessage) => {
      if (m.event !== 'output') return;
      const body = m.body as { category?: string; output: string };
      if (body.category === 'console') this.console++;
      else if (body.category === 'stdout') this.stdout += body.output;
    };
  }

  static async attach(info: KernelInfo): Promise<AttachedClient> {
    const c = new AttachedClient(await DapWireClient.connect(info.dap_port));
    await c.dap.request('initialize', { adapterID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const initialized = c.dap.event('initialized');
    await c.dap.request('attach', { token: info.key });
    await initialized;
    await c.dap.request('configurationDone');
    return c;
  }

  /** Sets this client's breakpoints in the script; each must be verified at its line. */
  async setBreakpoints(bps: readonly Bp[]): Promise<void> {
    const r = await this.dap.request('setBreakpoints', { source: { path: scriptPath(SCRIPT) }, breakpoints: bps });
    const got = (r.body as { breakpoints: { verified: boolean; line?: number }[] }).breakpoints;
    bps.forEach((bp, i) => {
      if (!got[i]?.verified || got[i]!.line !== bp.line) throw new Error(`breakpoint at ${SCRIPT}.lua:${bp.line} not verified there: ${JSON.stringify(got[i])}`);
    });
  }

  async detach(): Promise<void> {
    await this.setBreakpoints([]);
    await this.dap.request('disconnect', { terminateDebuggee: false });
    this.dap.close();
  }
}

interface Variant {
  name: string;
  hits: number;
  a: Bp[];
  /** Client B's breakpoints, or null when B is not attached. */
  b: Bp[] | null;
  /** Log point messages each attached client must receive. */
  messages: number;
}

interface Run {
  hotMs: number;
  /** Sending the cell → its reply and every log message at every client, ms (wall, this process). */
  deliveredMs: number;
  rest: string;
}

function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}

async function waitFor(done: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

export const multiClient: BenchCase = {
  name: 'multi-client',
  title: 'two DAP clients attached to a kernel vs one, on a false condition and a log point on a hot line',

  async run(ctx: BenchContext): Promise<CaseResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-bench-'));
    const kernel = await startKernel(dir);
    let j: JupyterCellRunner | null = null;
    let a: AttachedClient | null = null;
    try {
      j = await JupyterCellRunner.connect(kernel.info);
      a = await AttachedClient.attach(kernel.info);
      return await measure(ctx, kernel.info, j, a);
    } finally {
      a?.dap.close();
      j?.close();
      await kernel.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(ctx: BenchContext, info: KernelInfo, j: JupyterCellRunner, a: AttachedClient): Promise<CaseResult> {
  const line = markerLine(SCRIPT, 'hot-line');
  const condHits = ctx.quick ? 100_000 : 300_000;
  const logHits = ctx.quick ? 10_000 : 30_000;
  const cond: Bp = { line, condition: CONDITION };
  const log: Bp = { line, logMessage: LOG_MESSAGE };
  const variants: Variant[] = [
    { name: 'one client, no breakpoint', hits: condHits, a: [], b: null, messages: 0 },
    { name: `one client, condition "${CONDITION}"`, hits: condHits, a: [cond], b: null, messages: 0 },
    { name: 'two clients, condition on one', hits: condHits, a: [cond], b: [], messages: 0 },
    { name: 'two clients, condition on both', hits: condHits, a: [cond], b: [cond], messages: 0 },
    { name: `one client, log point "${LOG_MESSAGE}"`, hits: logHits, a: [log], b: null, messages: logHits },
    { name: 'two clients, log point on one', hits: logHits, a: [log], b: [], messages: logHits },
  ];
  const cell = (hits: number): string => {
    const file = JSON.stringify(scriptPath(SCRIPT));
    return `arg = { [0] = ${file}, "${hits}" }\ndofile(${file})`;
  };
  // Load the script once, so breakpoints set before each run bind to its functions at once.
  const first = await j.run(cell(10), CELL_TIMEOUT_MS);
  if (first !== 'ok') throw new Error(`the cell failed: ${first}`);

  const runOne = async (v: Variant): Promise<Run> => {
    await a.setBreakpoints(v.a);
    const b = v.b ? await AttachedClient.attach(info) : null;
    try {
      if (b) await b.setBreakpoints(v.b!);
      a.console = 0;
      a.stdout = '';
      const t0 = performance.now();
      const status = await j.run(cell(v.hits), CELL_TIMEOUT_MS);
      if (status !== 'ok') throw new Error(`${v.name}: the cell failed: ${status}`);
      // The script's last line, and every log message at every client.
      await waitFor(() => /^hot-line/m.test(a.stdout) && a.console >= v.messages && (!b || b.console >= v.messages),
        `${v.name}: not everything arrived`, CELL_TIMEOUT_MS);
      const deliveredMs = performance.now() - t0;
      for (const [who, c] of [['A', a], ['B', b]] as const) {
        if (c && c.console !== v.messages) throw new Error(`${v.name}: client ${who} received ${c.console} log messages, expected ${v.messages}`);
      }
      const t = parseElapsed(a.stdout, `${SCRIPT}.lua in a cell`);
      return { hotMs: t.hotMs, deliveredMs, rest: t.rest };
    } finally {
      await b?.detach();
    }
  };

  const rounds = ctx.quick ? ctx.runs : Math.max(ctx.runs, MIN_FULL_RUNS);
  const runs = await interleaveRuns<Run>(
    variants.map((v) => ({ name: v.name, run: () => runOne(v) })),
    { runs: rounds, warmup: Math.max(ctx.warmup, 1) },
    (round, of) => ctx.progress(`round ${round}/${of}`),
  );
  variants.forEach((v, i) => {
    const expected = runs[i === 4 || i === 5 ? 4 : 0]![0]!.rest;
    for (const r of runs[i]!) if (r.rest !== expected) throw new Error(`${v.name} printed ${JSON.stringify(r.rest)}, expected ${JSON.stringify(expected)}`);
  });
  const hot = runs.map((list) => list.map((r) => r.hotMs));
  const delivered = runs.map((list) => list.map((r) => r.deliveredMs));
  const [none, cond1, cond2, condBoth, log1, log2] = hot as [number[], number[], number[], number[], number[], number[]];
  const us = (ms: number, hits: number): number => (ms * 1000) / hits;

  const figures: Figure[] = [
    measurement(`hot line x${condHits}: one client, no breakpoint`, none),
    measurement(`hot line x${condHits}: one client, condition "${CONDITION}"`, cond1),
    measurement(`hot line x${condHits}: two clients, condition on one`, cond2),
    measurement(`hot line x${condHits}: two clients, same condition on both`, condBoth),
    quantity('one client: per false condition', `(median(one client) - median(no breakpoint)) / ${condHits}`, 'µs', us(median(cond1) - median(none), condHits)),
    quantity('two clients: per false condition', `(median(two clients) - median(no breakpoint)) / ${condHits}`, 'µs', us(median(cond2) - median(none), condHits)),
    ratio('condition: two clients / one', 'median over rounds of (two clients / one client)', pairedRatio(cond2, cond1), TARGET_TWO_CLIENTS),
    ratio('condition on both clients / on one', 'median over rounds of (both / one client)', pairedRatio(condBoth, cond1)),
    measurement(`hot line x${logHits}: one client, log point "${LOG_MESSAGE}"`, log1),
    measurement(`hot line x${logHits}: two clients, log point on one`, log2),
    ratio('log point: two clients / one, in the script', 'median over rounds of (two clients / one client)', pairedRatio(log2, log1), TARGET_TWO_CLIENTS),
    measurement(`log point x${logHits}, one client: cell sent → last message at the client`, delivered[4]!),
    measurement(`log point x${logHits}, two clients: cell sent → last message at both`, delivered[5]!),
    // No target: every message goes to each client, so two clients are twice the delivery
    // work by nature. The case compares the breakpoint's cost to the script (above).
    ratio('log point: two clients / one, delivered', 'median over rounds of (two clients / one client), wall', pairedRatio(delivered[5]!, delivered[4]!)),
  ];
  const notes = [
    `${rounds} interleaved rounds on one kernel (llmspell kernel start); cells dofile ${SCRIPT}.lua; client A holds the breakpoint, ` +
      'client B attaches before the run and detaches after it; loop times by the CPU time of the kernel\'s worker thread',
    `ratios of medians: condition two/one ${(median(cond2) / median(cond1)).toFixed(3)}×, both/one ${(median(condBoth) / median(cond1)).toFixed(3)}×, ` +
      `log point two/one ${(median(log2) / median(log1)).toFixed(3)}× in the script, ${(median(delivered[5]!) / median(delivered[4]!)).toFixed(3)}× delivered`,
  ];
  return { figures, notes };
}
