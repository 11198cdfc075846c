// Helpers for tests that start real kernels as daemons in a temporary runtime directory.
// Daemons are not children of the test (they detach), so each directory's kernels are found
// through their pid and connection files and killed when the test file ends.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { isLlmspellProcess } from '../../src/daemon/process-check.js';
import { runCli, type CliOptions, type CliResult } from '../e2e/helpers.js';

const dirs: string[] = [];

/** A fresh runtime directory (not yet created: the kernel makes it). */
export function tempRuntimeDir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-daemon-test-'));
  dirs.push(base);
  return path.join(base, 'run');
}

function pidsIn(dir: string): number[] {
  const pids = new Set<number>();
  let names: string[] = [];
  try { names = fs.readdirSync(dir); } catch { return []; }
  for (const n of names) {
    const file = path.join(dir, n);
    try {
      if (n.endsWith('.pid')) pids.add(Number(fs.readFileSync(file, 'utf8').trim()));
      if (n.endsWith('.json')) pids.add(Number((JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number }).pid));
    } catch { /* half-written or gone */ }
  }
  return [...pids].filter((p) => Number.isInteger(p) && p > 0);
}

/** Kills whatever kernels a test left in its runtime directories and removes them. */
export function cleanUp(): void {
  const bases = dirs.splice(0);
  for (const pid of new Set([...extraPids.splice(0), ...bases.flatMap((b) => pidsIn(path.join(b, 'run')))])) {
    // Only our kernels: a pid in a stale file may belong to some other process by now.
    if (isLlmspellProcess(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const base of bases) fs.rmSync(base, { recursive: true, force: true });
}
after(cleanUp);

/** Pids of kernels started with files outside a runtime directory. */
const extraPids: number[] = [];
export function killAtEnd(pid: number): void {
  extraPids.push(pid);
}

export function cli(dir: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { ...opts, env: { LLMSPELL_RUNTIME_DIR: dir, ...opts.env } });
}

export interface Daemon {
  id: string;
  pid: number;
  connectionFile: string;
  logFile: string;
}

/** `kernel start --daemon ARGS` in DIR; fails the test unless it started. */
export async function startDaemon(dir: string, args: string[] = []): Promise<Daemon> {
  const r = await cli(dir, ['kernel', 'start', '--daemon', ...args]);
  if (r.code !== 0) throw new Error(`kernel start --daemon exited ${r.code}: ${r.stderr}`);
  const m = /^Kernel (\S+) started \(pid (\d+)\)\nConnection file: (.+)\nLog file: (.+)\n$/.exec(r.stdout);
  if (!m) throw new Error(`unexpected output: ${JSON.stringify(r.stdout)}`);
  const d = { id: m[1], pid: Number(m[2]), connectionFile: m[3], logFile: m[4] };
  killAtEnd(d.pid);
  return d;
}

/** True while PID runs (a zombie, exited but not yet reaped by its new parent, does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc
  }
}

/** Polls until `check` holds (or throws after timeoutMs with `what`). */
export async function eventually<T>(what: string, check: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The log's JSON lines (other lines skipped). */
export function logLines(file: string): Record<string, unknown>[] {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  return text.split('\n').flatMap((l) => {
    try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; }
  });
}

/** Waits for a log line whose msg matches. */
export function logLine(file: string, msg: RegExp, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return eventually(`a log line ${msg} in ${file}`, () => logLines(file).find((l) => msg.test(String(l.msg))), timeoutMs);
}

/** The pid of a process that has exited (and so is certainly not a kernel). */
export async function deadPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}
