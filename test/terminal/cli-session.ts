// Drives the built CLI through pipes: a whole session from a list of lines (`runPiped`), or a
// live one that waits for output before sending more and can send SIGINT (`CliSession`).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const bin = path.join(repoRoot, 'bin/llmspell.js');
/** The terminal fixtures; sessions run here so the paths they print are short. */
export const fixtures = path.join(repoRoot, 'test/fixtures/terminal');

export interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `llmspell ARGS` with `lines` on stdin (then end of input) and waits for it to exit. */
export async function runPiped(args: string[], lines: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Finished> {
  const s = new CliSession(args, opts.cwd, opts.env);
  try {
    for (const l of lines) s.send(l);
    s.end();
    return await s.exited(opts.timeoutMs ?? 10_000);
  } finally {
    s.kill();
  }
}

export class CliSession {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  /** How much of stdout earlier waits consumed. */
  private seen = 0;
  private result: Finished | null = null;
  private readonly done: Promise<Finished>;

  constructor(args: string[], cwd = fixtures, env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => { this.stdout += d; });
    this.child.stderr.setEncoding('utf8').on('data', (d: string) => { this.stderr += d; });
    this.child.stdin.on('error', () => undefined); // the CLI may exit before reading everything
    this.done = new Promise((resolve) => this.child.on('close', (code, signal) => {
      this.result = { stdout: this.stdout, stderr: this.stderr, code, signal };
      resolve(this.result);
    }));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  end(): void {
    this.child.stdin.end();
  }

  /** Ctrl-C as a pipe sees it: SIGINT to the process. */
  interrupt(): void {
    this.child.kill('SIGINT');
  }

  /** Waits until stderr matches (anywhere). */
  async waitForStderr(pattern: RegExp, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stderr)) {
      if (this.result || Date.now() > deadline) throw new Error(`no ${String(pattern)} on stderr; stderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Waits until the output not yet consumed matches; returns it up to the match's end. */
  async waitFor(pattern: RegExp | string, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.stdout.slice(this.seen);
      const m = typeof pattern === 'string' ? (rest.includes(pattern) ? { index: rest.indexOf(pattern), 0: pattern } : null) : pattern.exec(rest);
      if (m) {
        const end = m.index + m[0].length;
        this.seen += end;
        return rest.slice(0, end);
      }
      if (this.result) throw new Error(`exited (${this.result.code ?? this.result.signal}) before printing ${String(pattern)}; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${String(pattern)} within ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async exited(timeoutMs = 10_000): Promise<Finished> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.result) this.child.kill('SIGKILL');
  }
}

/** The whole stdout of a session, line by line; a mismatch also shows stderr and the exit. */
export function assertTranscript(r: Finished, ...lines: string[]): void {
  try {
    assert.equal(r.stdout, `${lines.join('\n')}\n`);
  } catch (e) {
    if (e instanceof Error) e.message += `\n(exit ${r.code ?? r.signal}; stderr: ${JSON.stringify(r.stderr)})`;
    throw e;
  }
}
