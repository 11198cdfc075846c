// A real kernel for the multi-client case: `llmspell kernel start --connection-file F` on free
// loopback ports (with dap_port and a key), and a minimal Jupyter frontend on it (shell and
// iopub over ZeroMQ) that runs cells and reports what they printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zmq from 'zeromq';
import { pickPorts } from '../../src/jupyter/port-picker.js';
import { decode, encode, makeHeader, Signer, type Message } from '../../src/jupyter/wire.js';
import { llmspellBin, repoRoot } from './paths.js';

export interface KernelInfo {
  ip: string;
  shell_port: number;
  iopub_port: number;
  dap_port: number;
  key: string;
}

export interface KernelProcess {
  info: KernelInfo;
  stop(): Promise<void>;
}

/** Starts a kernel with its connection file in `dir`; resolves once it logged that it started. */
export async function startKernel(dir: string): Promise<KernelProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(dir);
    } catch (e) {
      // A port taken between choosing it and the kernel binding it: choose again.
      if (attempt >= 3 || !/in use/i.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(dir: string): Promise<KernelProcess> {
  const info = {
    transport: 'tcp', ip: '127.0.0.1', ...(await pickPorts('127.0.0.1')), key: randomUUID(), signature_scheme: 'hmac-sha256', kernel_name: 'llmspell', kernel_id: `bench-${randomBytes(3).toString('hex')}`,
  };
  const file = path.join(dir, `kernel-${info.kernel_id}.json`);
  fs.writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  // BENCH_KERNEL_NODE_ARGS: options for the kernel's node, e.g. "--cpu-prof --cpu-prof-dir=DIR" to profile it.
  const nodeArgs = (process.env.BENCH_KERNEL_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc: ChildProcess = spawn(process.execPath, [...nodeArgs, llmspellBin, 'kernel', 'start', '--connection-file', file, '--trace', 'info'], {
    cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  let started = false;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    if (!gone) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the kernel did not start within 20 s: ${log.slice(-500)}`)), 20_000);
      proc.stderr!.setEncoding('utf8').on('data', (s: string) => {
        if (started) return; // afterwards only drained, so the pipe never fills
        log += s;
        if (/"msg":"kernel started"/.test(log)) { started = true; clearTimeout(timer); resolve(); }
      });
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the kernel exited (${code}) before it started: ${log.slice(-500)}`)); });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { info, stop };
}

/**
 * A Jupyter frontend on shell alone that runs one cell at a time and waits for its reply. It
 * does not subscribe to iopub: what the cell prints is read from a DAP client's output events,
 * which TCP delivers in full (a ZeroMQ PUB socket drops messages once 1,000 are queued for a
 * subscriber, and a hot log point publishes one per hit).
 */
export class JupyterCellRunner {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly replies = new Map<string, (m: Message) => void>();

  private constructor(info: KernelInfo) {
    this.signer = new Signer(info.key);
    this.shell.connect(`tcp://${info.ip}:${info.shell_port}`);
    void this.pump();
  }

  static async connect(info: KernelInfo): Promise<JupyterCellRunner> {
    const j = new JupyterCellRunner(info);
    await j.request('kernel_info_request', {}, 20_000);
    return j;
  }

  private async pump(): Promise<void> {
    try {
      for await (const frames of this.shell) {
        const d = decode(frames as Buffer[], this.signer);
        if (d.ok) this.replies.get(d.message.parent_header.msg_id ?? '')?.(d.message);
      }
    } catch { /* closed */ }
  }

  private request(msgType: string, content: Record<string, unknown>, timeoutMs: number): Promise<Message> {
    const header = makeHeader(msgType, this.session);
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(header.msg_id);
        reject(new Error(`no reply to ${msgType} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(header.msg_id, (m) => {
        clearTimeout(timer);
        this.replies.delete(header.msg_id);
        resolve(m);
      });
      this.shell.send(encode([], header, {}, {}, content, this.signer)).catch(reject);
    });
  }

  /** Runs a cell; resolves with its status once the reply arrives ("ok", or the error). */
  async run(code: string, timeoutMs: number): Promise<string> {
    const content = { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true };
    const reply = (await this.request('execute_request', content, timeoutMs)).content as { status: string; evalue?: string };
    return reply.status === 'ok' ? 'ok' : `${reply.status}: ${reply.evalue ?? ''}`;
  }

  close(): void {
    this.shell.close();
  }
}
