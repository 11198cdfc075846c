// A real kernel (`llmspell kernel start --connection-file F`, with dap_port and key in F) and
// its clients for the multi-client tests: a Jupyter client over ZeroMQ that records
// everything it receives, and DAP clients (VS Code's DebugClient) on dap_port. Every process
// and socket a test starts is ended by the test's cleanup.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import type { ConnectionInfo } from '../../src/jupyter/connection-file.js';
import { decode, encode, makeHeader, Signer, type Message } from '../../src/jupyter/wire.js';
import { cli, connectClient, EventLog, repoRoot, within, WAIT_MS, type T } from '../dap/dap-client.js';

export { within, WAIT_MS, EventLog, type T };

/** `n` ports free right now on the loopback interface. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export function tempDir(t: T, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Kernel {
  proc: ChildProcess;
  info: ConnectionInfo & { dap_port: number; kernel_id: string };
  connectionFile: string;
  /** What the kernel logged (JSON lines on stderr). */
  stderr(): string;
  exited: Promise<number | null>;
}

/**
 * Writes a connection file (ports, dap_port, key, kernel_id) into `dir` and starts a kernel on
 * it; resolves once it has started. Killed by the test's cleanup. A port taken between
 * choosing it and the kernel binding it (other tests run alongside) means another try.
 */
export async function startKernel(t: T, dir: string, extra: Record<string, unknown> = {}): Promise<Kernel> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKernelOnce(t, dir, extra);
    } catch (e) {
      if (attempt >= 3 || !/in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startKernelOnce(t: T, dir: string, extra: Record<string, unknown>): Promise<Kernel> {
  const [shell, control, stdin, iopub, hb, dap] = await freePorts(6);
  const kernelId = `test-${randomBytes(3).toString('hex')}`;
  const info = {
    transport: 'tcp' as const, ip: '127.0.0.1', shell_port: shell, control_port: control, stdin_port: stdin, iopub_port: iopub, hb_port: hb,
    key: randomUUID(), signature_scheme: 'hmac-sha256', kernel_name: 'llmspell', kernel_id: kernelId, dap_port: dap, ...extra,
  };
  const connectionFile = path.join(dir, `kernel-${kernelId}.json`);
  fs.writeFileSync(connectionFile, JSON.stringify(info, null, 2), { mode: 0o600 });
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const proc = spawn(process.execPath, [cli, 'kernel', 'start', '--connection-file', connectionFile, '--trace', 'info'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  proc.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  // SIGTERM first, so the kernel removes its cell files; SIGKILL if it does not go.
  t.after(async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    if (!gone) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  const kernel: Kernel = { proc, info: info as Kernel['info'], connectionFile, stderr: () => err, exited };
  // Ready: it logged that it started (after its sockets and dap_port listen).
  await within(new Promise<void>((resolve, reject) => {
    const check = (): void => { if (/"msg":"kernel started"/.test(err)) resolve(); };
    proc.stderr!.on('data', check);
    check();
    proc.once('exit', (code) => reject(new Error(`the kernel exited (${code}) before it started: ${err}`)));
  }), 'the kernel to start', 20_000);
  return kernel;
}

/** Lines of the kernel's log whose message matches. */
export function logLines(kernel: Kernel, pattern: RegExp): Record<string, unknown>[] {
  return kernel.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => pattern.test(String(l.msg)));
}

// ---- Jupyter ----

/** A Jupyter frontend: shell and control DEALERs, iopub SUB; keeps every message it receives. */
export class JupyterTestClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  readonly received: { channel: string; msg: Message }[] = [];
  private wake: (() => void) | null = null;

  private constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key);
  }

  static async connect(t: T, info: ConnectionInfo): Promise<JupyterTestClient> {
    const c = new JupyterTestClient(info);
    t.after(() => c.close());
    const at = (port: number): string => `tcp://${info.ip}:${port}`;
    c.shell.connect(at(info.shell_port));
    c.control.connect(at(info.control_port));
    c.iopub.connect(at(info.iopub_port));
    c.iopub.subscribe();
    for (const [name, sock] of [['shell', c.shell], ['control', c.control], ['iopub', c.iopub]] as const) void c.pump(name, sock);
    // iopub delivers only once the subscription has reached the kernel: ask until a status arrives.
    await within((async () => {
      for (;;) {
        const id = c.send('shell', 'kernel_info_request', {});
        try {
          await c.next((m) => m.channel === 'iopub' && m.msg.parent_header.msg_id === id, 'status', 500);
          return;
        } catch { /* not yet */ }
      }
    })(), 'the kernel to answer on shell and iopub');
    return c;
  }

  private async pump(channel: string, sock: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of sock) {
        const d = decode(frames as Buffer[], this.signer);
        if (!d.ok) continue;
        this.received.push({ channel, msg: d.message });
        this.wake?.();
      }
    } catch { /* closed */ }
  }

  /** Sends a request; returns its msg_id. */
  send(channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>): string {
    const header = makeHeader(msgType, this.session);
    void (channel === 'shell' ? this.shell : this.control).send(encode([], header, {}, {}, content, this.signer)).catch(() => undefined);
    return header.msg_id;
  }

  /** The first message received (at any time) that matches. */
  async next(match: (m: { channel: string; msg: Message }) => boolean, what: string, ms = WAIT_MS): Promise<{ channel: string; msg: Message }> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${ms} ms; got ${this.received.map((m) => `${m.channel}:${m.msg.header.msg_type}`).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  /** The reply to request `msgId`. */
  async reply(msgId: string, ms = WAIT_MS): Promise<Message> {
    return (await this.next((m) => m.channel !== 'iopub' && m.msg.parent_header.msg_id === msgId, `reply to ${msgId}`, ms)).msg;
  }

  /**
   * The reply to an execute_request once all its output has arrived: iopub is ordered, but not
   * with shell, so the reply may come before the stream; the idle status comes after it.
   */
  async finished(msgId: string, ms = WAIT_MS): Promise<Message> {
    const reply = await this.reply(msgId, ms);
    await this.next((m) => m.channel === 'iopub' && m.msg.parent_header.msg_id === msgId && m.msg.header.msg_type === 'status'
      && (m.msg.content as { execution_state?: string }).execution_state === 'idle', `idle after ${msgId}`, ms);
    return reply;
  }

  /** A DAP request as debug_request on control; resolves with the DAP response. */
  async debug(command: string, args: Record<string, unknown> = {}): Promise<P.Response & { __msgId: string }> {
    const id = this.send('control', 'debug_request', { seq: this.received.length + 1, type: 'request', command, arguments: args });
    const reply = await this.reply(id);
    return { ...(reply.content as unknown as P.Response), __msgId: id };
  }

  /** DAP events (debug_event on iopub) received so far, by name. */
  debugEvents(name: string): P.Event[] {
    return this.received.filter((m) => m.channel === 'iopub' && m.msg.header.msg_type === 'debug_event')
      .map((m) => m.msg.content as unknown as P.Event).filter((e) => e.event === name);
  }

  async debugEvent(name: string, count = 1): Promise<P.Event> {
    await this.next(() => this.debugEvents(name).length >= count, `debug_event ${name} #${count}`);
    return this.debugEvents(name)[count - 1];
  }

  /** Stream text a cell printed. */
  streamOf(msgId: string): string {
    return this.received.filter((m) => m.channel === 'iopub' && m.msg.header.msg_type === 'stream' && m.msg.parent_header.msg_id === msgId)
      .map((m) => String((m.msg.content as { text?: string }).text)).join('');
  }

  close(): void {
    for (const s of [this.shell, this.control, this.iopub]) s.close();
  }
}

// ---- DAP ----

export interface DapClient {
  dc: DebugClient;
  log: EventLog;
}

/** A DebugClient on the kernel's dap_port: initialize, attach with the key, wait for initialized. */
export async function attachDap(t: T, kernel: Kernel, token: string = kernel.info.key): Promise<DapClient> {
  const dc = await connectClient(t, kernel.info.dap_port);
  const log = new EventLog(dc);
  await dc.initializeRequest();
  await dc.attachRequest({ token } as P.AttachRequestArguments);
  await log.next('initialized');
  await dc.configurationDoneRequest();
  return { dc, log };
}

/** The socket under a TCP DebugClient (to drop it without a word, as a killed client would). */
export function socketOf(dc: DebugClient): net.Socket {
  return (dc as unknown as { _socket: net.Socket })._socket;
}

/** The `__correlation` an event or response carries. */
export function correlationOf(m: { body?: unknown }): unknown {
  return (m.body as Record<string, unknown> | undefined)?.__correlation;
}
