// Runs one script to its end under a real `llmspell dap` process over stdio, the way an editor
// runs the adapter: initialize, launch, setBreakpoints, configurationDone, then wait for the
// script to end. Used by the cases that measure the adapter as users get it (case-dap-idle.ts).
import { spawn } from 'node:child_process';
import { DapWireClient, type DapMessage } from './dap-wire-client.js';
import { llmspellBin, repoRoot } from './paths.js';

export interface DapRunPlan {
  program: string;
  args: string[];
  /** Breakpoints to set before configurationDone, per source file; each must be verified at its line. */
  breakpoints: { path: string; lines: number[] }[];
  timeoutMs: number;
}

export interface DapRunResult {
  /** What the script printed (output events of category stdout), in order. */
  stdout: string;
  /** Spawn to process exit, ms: start-up, the run and shutting down. */
  processMs: number;
}

export async function runUnderDap(plan: DapRunPlan): Promise<DapRunResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [llmspellBin, 'dap'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const dap = DapWireClient.overStdio(child);
  let stdout = '';
  let scriptErrors = '';
  dap.onEvent = (m: DapMessage) => {
    if (m.event !== 'output') return;
    const body = m.body as { category?: string; output: string };
    if (body.category === 'stdout') stdout += body.output;
    else if (body.category === 'stderr') scriptErrors += body.output;
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), plan.timeoutMs);
  const failed = exited.then((code) => { throw new Error(`llmspell dap exited (${code}) early: ${stderr.trim().slice(-500)}`); });
  failed.catch(() => undefined); // handled where raced; the normal exit at the end rejects it too
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  try {
    await step(dap.request('initialize', { adapterID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' }));
    // 'initialized' follows launch here: breakpoints are then verified against the loaded file.
    const initialized = dap.event('initialized');
    const terminated = dap.event('terminated');
    const exitEvent = dap.event('exited');
    await step(dap.request('launch', { program: plan.program, args: plan.args }));
    await step(initialized);
    for (const { path, lines } of plan.breakpoints) {
      const r = await step(dap.request('setBreakpoints', { source: { path }, breakpoints: lines.map((line) => ({ line })) }));
      const got = (r.body as { breakpoints: { verified: boolean; line?: number }[] }).breakpoints;
      lines.forEach((line, i) => {
        if (!got[i]?.verified || got[i]!.line !== line) throw new Error(`breakpoint at ${path}:${line} not verified there: ${JSON.stringify(got[i])}`);
      });
    }
    await step(dap.request('configurationDone'));
    const code = ((await step(exitEvent)).body as { exitCode: number }).exitCode;
    await step(terminated);
    if (code !== 0) throw new Error(`${plan.program} exited with ${code} under llmspell dap: ${scriptErrors.trim().slice(-500)}`);
    await step(dap.request('disconnect', {}));
    dap.close();
    await exited;
    return { stdout, processMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * Spawn → the `stopped` event of a launch with stopOnEntry, under `llmspell dap` over stdio:
 * what a user waits for between starting a debug session and seeing the first line. The
 * session is then ended (disconnect, terminating the script).
 */
export async function timeToFirstStop(program: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [llmspellBin, 'dap'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const failed = exited.then((code) => { throw new Error(`llmspell dap exited (${code}) early: ${stderr.trim().slice(-500)}`); });
  failed.catch(() => undefined);
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const dap = DapWireClient.overStdio(child);
  try {
    await step(dap.request('initialize', { adapterID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' }));
    const initialized = dap.event('initialized');
    const stopped = dap.event('stopped');
    await step(dap.request('launch', { program, stopOnEntry: true }));
    await step(initialized);
    await step(dap.request('configurationDone'));
    const stop = await step(stopped);
    const ms = performance.now() - started;
    const reason = (stop.body as { reason?: string }).reason;
    if (reason !== 'entry') throw new Error(`the first stop was '${String(reason)}', not 'entry'`);
    await step(dap.request('disconnect', { terminateDebuggee: true }));
    dap.close();
    await exited;
    return ms;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}
