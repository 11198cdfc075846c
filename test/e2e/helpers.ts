// Spawns the real CLI (bin/llmspell.js) for black-box tests and collects what it printed.
// Every child is tracked and killed when its test ends, so a hung CLI cannot outlive a test.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

/** The repository root (compiled tests live in dist/test/e2e/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The CLI entry point every test runs. */
export const cliPath = path.join(repoRoot, 'bin', 'llmspell.js');

/** A path under test/fixtures in the source tree (fixtures are not copied to dist). */
export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'test', 'fixtures', ...parts);
}

export interface CliOptions {
  /** Written to the child's stdin, which is then closed; without it stdin is closed at once. */
  stdin?: string;
  /** Keep stdin open (a pipe the test writes to) instead of closing it. */
  keepStdinOpen?: boolean;
  cwd?: string;
  /** Added to (or, with a value of undefined, removed from) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Kills the child (SIGKILL) after this long; runCli then reports what it had. Default 20 s. */
  timeoutMs?: number;
  /** Run as this user and group (root only; used to make a file unreadable). */
  uid?: number;
  gid?: number;
}

export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when the child was killed because timeoutMs ran out. */
  timedOut: boolean;
}

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

// Whatever a test left running is ended when its file's tests are done.
after(killAll);
process.on('exit', killAll);

function childEnv(extra: CliOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A parent's NODE_OPTIONS (coverage, test runner flags) must not change how the CLI runs.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Starts `node bin/llmspell.js ...args` with piped stdio and returns the child; the caller
 * reads its streams. The child is killed when the test file's tests end if still running.
 */
export function spawnCli(args: string[], opts: CliOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: childEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: opts.uid,
    gid: opts.gid,
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.stdin!.on('error', () => undefined); // the CLI may exit before reading what we wrote
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else if (!opts.keepStdinOpen) child.stdin!.end();
  return child;
}

/** Resolves once the child has exited and its output streams are drained. */
export function collect(child: ChildProcess, timeoutMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs the CLI to completion: exit code, signal and everything it printed. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, opts);
  return collect(child, opts.timeoutMs);
}

/** Resolves when `stream` has printed text matching `pattern` (rejects after timeoutMs or at its end). */
export function waitForOutput(stream: NodeJS.ReadableStream, pattern: RegExp | string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const matches = (): boolean => (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen));
    const done = (err?: Error): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (err) reject(err); else resolve(seen);
    };
    const onData = (d: Buffer | string): void => {
      seen += d.toString();
      if (matches()) done();
    };
    const onEnd = (): void => done(new Error(`stream ended before ${String(pattern)}; got ${JSON.stringify(seen)}`));
    const timer = setTimeout(() => done(new Error(`no ${String(pattern)} within ${timeoutMs} ms; got ${JSON.stringify(seen)}`)), timeoutMs);
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}

/** Resolves with the exit code and signal once the child has exited, or null after timeoutMs. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: string | null } | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.off('exit', onExit); resolve(null); }, timeoutMs);
    const onExit = (code: number | null, signal: string | null): void => { clearTimeout(timer); resolve({ code, signal }); };
    child.once('exit', onExit);
  });
}

/** Lines that show a Node.js stack trace or an internal module leaking to the user. */
export function nodeTraceLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s+at\s/.test(l) || l.includes('node:internal') || /^Node\.js v\d/.test(l));
}
