// Starts `llmspell dap` as editors do and talks to it with VS Code's own test client, plus the
// small helpers the DAP tests share: an event log that never loses an event, the launch
// sequence, a TCP server process, and a raw socket for bytes no real client would send.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cli = path.join(repoRoot, 'bin/llmspell.js');
export const fixture = (...parts: string[]): string => path.join(repoRoot, 'test/fixtures', ...parts);
export const debugFixture = (name: string): string => fixture('debug', name);

export type T = { after: (fn: () => Promise<void> | void) => void };

/** How long any single wait in these tests may take before it fails with a message. */
export const WAIT_MS = 8000;

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with `work`, or rejects after `ms` naming what did not happen. */
export function within<V>(work: Promise<V>, what: string, ms = WAIT_MS): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A DebugClient on a fresh `llmspell dap` over stdio, closed by the test's cleanup.
 * DebugClient spawns `<runtime> <executable>` without arguments, so the executable is a shim
 * that runs the real CLI entry point with `dap`.
 */
export async function startAdapter(t: T, cliArgs: string[] = ['dap']): Promise<DebugClient> {
  const shim = fixture('dap/adapter-shim.mjs');
  const env = { ...process.env, LLMSPELL_SHIM_ARGS: JSON.stringify(cliArgs) };
  const dc = new DebugClient(process.execPath, shim, 'llmspell', { cwd: repoRoot, env }, true);
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  // Writes to an adapter that already exited must not crash the test process, and requests
  // to it fail at once instead of waiting forever (DebugClient's requests have no timeout).
  const proc = adapterProcess(dc)!;
  proc.stdin?.on('error', () => undefined);
  proc.on('exit', (code, signal) => failRequestsFrom(dc, `the adapter exited (${signal ?? code})`));
  t.after(() => stopClient(dc));
  return dc;
}

/** From now on every request of `dc` fails with `why`, pending ones included. */
function failRequestsFrom(dc: DebugClient, why: string): void {
  const client = dc as unknown as { pendingRequests: Map<number, (r: Partial<P.Response>) => void>; send: (c: string, a?: unknown) => Promise<P.Response> };
  client.send = (command: string) => Promise.reject(new Error(`'${command}': ${why}`));
  for (const [seq, settle] of client.pendingRequests) {
    client.pendingRequests.delete(seq);
    settle({ success: false, message: why });
  }
}

/** The adapter process behind a stdio DebugClient (the test client keeps it private). */
export function adapterProcess(dc: DebugClient): ChildProcess | null {
  return (dc as unknown as { _adapterProcess: ChildProcess | null })._adapterProcess;
}

/** A DebugClient on a TCP DAP server; its socket errors are swallowed, cleanup disconnects. */
export async function connectClient(t: T, port: number): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, '', 'llmspell');
  await within(dc.start(port), `connect to port ${port}`);
  const socket = (dc as unknown as { _socket: net.Socket })._socket;
  socket.on('error', () => undefined);
  socket.on('close', () => failRequestsFrom(dc, 'the server closed the connection'));
  t.after(() => stopClient(dc));
  return dc;
}

/** Disconnects (a second or two at most), then makes sure the adapter or socket is gone. */
async function stopClient(dc: DebugClient): Promise<void> {
  const proc = adapterProcess(dc);
  const socket = (dc as unknown as { _socket: net.Socket | null })._socket;
  const alive = proc ? proc.exitCode === null && proc.signalCode === null : !!socket && !socket.destroyed;
  if (alive) await Promise.race([dc.stop(), delay(2000)]);
  socket?.destroy();
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

/**
 * Every event a client receives, in order. `next(name)` hands them out one at a time, so an
 * event that arrived before the test asked for it is not lost (DebugClient's `waitForEvent`
 * only sees events after the call).
 */
export class EventLog {
  readonly all: P.Event[] = [];
  private readonly taken = new Map<string, number>();
  private readonly waiters: (() => void)[] = [];

  constructor(dc: DebugClient) {
    const emit = dc.emit.bind(dc);
    dc.emit = (name: string | symbol, ...args: unknown[]): boolean => {
      const ev = args[0] as P.Event | undefined;
      if (ev?.type === 'event') {
        this.all.push(ev);
        for (const w of this.waiters.splice(0)) w();
      }
      return emit(name, ...args);
    };
  }

  /** The next event of this name not handed out yet; fails after `ms` listing what did arrive. */
  async next<E extends P.Event = P.Event>(name: string, ms = WAIT_MS): Promise<E> {
    const found = await this.until(() => this.of(name)[this.taken.get(name) ?? 0], `event '${name}'`, ms);
    this.taken.set(name, (this.taken.get(name) ?? 0) + 1);
    return found as E;
  }

  async stopped(ms = WAIT_MS): Promise<P.StoppedEvent> {
    return this.next<P.StoppedEvent>('stopped', ms);
  }

  of(name: string): P.Event[] {
    return this.all.filter((e) => e.event === name);
  }

  names(): string[] {
    return this.all.map((e) => e.event);
  }

  /** Everything received in one output category, concatenated. */
  output(category: string): string {
    return this.of('output').filter((e) => (e as P.OutputEvent).body.category === category).map((e) => (e as P.OutputEvent).body.output).join('');
  }

  /** Waits until the output of a category matches. */
  async outputMatching(category: string, pattern: RegExp, ms = WAIT_MS): Promise<string> {
    return this.until(() => (pattern.test(this.output(category)) ? this.output(category) : undefined), `${category} output matching ${pattern}`, ms);
  }

  /** Waits until `probe` returns something. */
  async until<V>(probe: () => V | undefined, what: string, ms = WAIT_MS): Promise<V> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; events so far: ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  private summary(): string {
    return this.all.map((e) => (e.event === 'output' ? `output(${JSON.stringify((e as P.OutputEvent).body.output.slice(0, 60))})` : e.event)).join(', ');
  }
}

export type LaunchArgs = { program: string; args?: unknown; cwd?: string; env?: unknown; stopOnEntry?: boolean; noDebug?: boolean; [k: string]: unknown };

/**
 * The sequence an editor runs: initialize, launch, (initialized), the configuration requests
 * `configure` sends, configurationDone. Returns the log of everything the client received.
 */
export async function launch(dc: DebugClient, args: LaunchArgs, configure?: (dc: DebugClient) => Promise<unknown>): Promise<EventLog> {
  const log = new EventLog(dc);
  await dc.initializeRequest();
  await dc.launchRequest(args as P.LaunchRequestArguments);
  await log.next('initialized');
  if (configure) await configure(dc);
  await dc.configurationDoneRequest();
  return log;
}

/** Breakpoints at `lines` of `file`, as a configure step for `launch`. */
export const breakpointsAt = (file: string, ...bps: (number | P.SourceBreakpoint)[]) => (dc: DebugClient) =>
  dc.setBreakpointsRequest({ source: { path: file }, breakpoints: bps.map((b) => (typeof b === 'number' ? { line: b } : b)) });

/** Top frame of thread 1 as "name:line". */
export async function where(dc: DebugClient): Promise<string> {
  const st = await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 1 });
  const f = st.body.stackFrames[0];
  return `${f.name}:${f.line}`;
}

/** Locals of a frame (the top one by default) as name → value. */
export async function locals(dc: DebugClient, frameIndex = 0): Promise<Record<string, string>> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[frameIndex].id });
  const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
  return Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
}

/** Id of the top frame. */
export async function topFrameId(dc: DebugClient): Promise<number> {
  return (await dc.stackTraceRequest({ threadId: 1, levels: 1 })).body.stackFrames[0].id;
}

/** Resumes, then waits for `stopped`: the step or continue and where it ended. */
export async function resumeAndStop(dc: DebugClient, log: EventLog, how: 'continue' | 'next' | 'stepIn' | 'stepOut'): Promise<P.StoppedEvent> {
  await dc.customRequest(how, { threadId: 1 });
  return log.stopped();
}

// ---- processes of the CLI ----

export interface CliProcess {
  proc: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/**
 * Spawns `llmspell <args>` that serves DAP on a TCP port and prints `DAP server listening on
 * port N`; resolves once the port is known. The process is killed by the test's cleanup.
 */
export async function spawnServer(t: T, args: string[], cwd = repoRoot): Promise<CliProcess> {
  const proc = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  proc.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const port = await within(new Promise<number>((resolve, reject) => {
    const check = (): void => {
      const m = /DAP server listening on port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => reject(new Error(`llmspell ${args.join(' ')} exited (${code}) before listening: ${err}`)));
  }), `llmspell ${args.join(' ')} to print its port`);
  return { proc, port, stdout: () => out, stderr: () => err, exited };
}

// ---- raw bytes over TCP ----

/** A socket that speaks DAP by hand, to send what no well-behaved client would. */
export class RawDap {
  private buf = Buffer.alloc(0);
  private readonly messages: Record<string, unknown>[] = [];
  private taken = 0;
  private wake: (() => void) | null = null;
  private seq = 1;
  /** Resolves when the server closes the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const m = /Content-Length: (\d+)/.exec(this.buf.subarray(0, end).toString('ascii'));
        if (!m) throw new Error(`the server sent a bad header: ${this.buf.subarray(0, end).toString('ascii')}`);
        const len = Number(m[1]);
        if (this.buf.length < end + 4 + len) break;
        this.messages.push(JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Record<string, unknown>);
        this.buf = this.buf.subarray(end + 4 + len);
      }
      this.wake?.();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => { resolve(); this.wake?.(); }));
  }

  static async connect(t: T, port: number): Promise<RawDap> {
    const socket = await within(new Promise<net.Socket>((resolve, reject) => {
      const s = net.createConnection(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    }), `connect to ${port}`);
    t.after(() => { socket.destroy(); });
    return new RawDap(socket);
  }

  /** Bytes exactly as given. */
  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** A well-framed message whose body is `body` (any text, valid JSON or not). */
  frame(body: string): void {
    this.write(`Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`);
  }

  /** A well-formed request; returns its seq. */
  request(command: string, args?: unknown): number {
    const seq = this.seq++;
    this.frame(JSON.stringify({ seq, type: 'request', command, ...(args === undefined ? {} : { arguments: args }) }));
    return seq;
  }

  /** The next message the server sent that matches, in order of arrival. */
  async next(match: (m: Record<string, unknown>) => boolean = () => true, what = 'a message', ms = WAIT_MS): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      for (let i = this.taken; i < this.messages.length; i++) {
        if (match(this.messages[i])) { this.taken = i + 1; return this.messages[i]; }
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.destroyed) throw new Error(`no ${what} (${this.socket.destroyed ? 'connection closed' : `within ${ms} ms`}); got: ${JSON.stringify(this.messages).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
      });
    }
  }

  /** The response to request `seq`. */
  response(seq: number): Promise<P.Response> {
    return this.next((m) => m.type === 'response' && m.request_seq === seq, `response to request ${seq}`) as Promise<never>;
  }

  /** Everything received so far. */
  received(): Record<string, unknown>[] {
    return [...this.messages];
  }

  /** Drops the connection without a word, as a crashed client would. */
  destroy(): void {
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }
}
