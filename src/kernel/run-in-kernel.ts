// `llmspell kernel run`'s (and `kernel status`'s) side of the conversation: a short DAP
// connection to the kernel's dap_port that says `initialize`, then one request carrying the
// kernel's key as `token` — `llmspell/runScript` or `llmspell/scripts`, which authenticate
// themselves, so the connection never becomes a debugger client of the kernel — reads the
// answer and leaves. Nothing the kernel runs is stopped or resumed by it leaving.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as net from 'node:net';
import { LIST_SCRIPTS, RUN_SCRIPT, StreamTransport, type KernelScriptInfo, type RunScriptResult } from '../dap/index.js';
import type { KernelDapAddress } from './kernel-lookup.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** A status question is answered at once by a kernel that works. */
const LIST_TIMEOUT_MS = 5000;

export class RunInKernelError extends Error {}

export interface RunInKernelRequest {
  program: string;
  args: string[];
  cwd: string;
  wait: boolean;
}

/** Starts a script in the kernel: its thread id, or with `wait` its exit code. */
export async function runInKernel(kernel: KernelDapAddress, req: RunInKernelRequest): Promise<RunScriptResult> {
  return ask<RunScriptResult>(kernel, RUN_SCRIPT, { program: req.program, args: req.args, cwd: req.cwd, wait: req.wait }, `did not run ${req.program}`);
}

/** The scripts the kernel runs and queues. */
export async function kernelScripts(kernel: KernelDapAddress): Promise<KernelScriptInfo[]> {
  return (await ask<{ scripts: KernelScriptInfo[] }>(kernel, LIST_SCRIPTS, {}, 'did not list its scripts', LIST_TIMEOUT_MS)).scripts;
}

async function ask<R>(kernel: KernelDapAddress, command: string, args: Record<string, unknown>, failed: string, timeoutMs?: number): Promise<R> {
  const socket = await connect(kernel);
  const transport = new StreamTransport(socket, socket);
  try {
    return await new Promise<R>((resolve, reject) => {
      let seq = 1;
      const waiting = new Map<number, (r: P.Response) => void>();
      const request = (command: string, args: unknown): Promise<P.Response> => new Promise((r) => {
        const mine = seq++;
        waiting.set(mine, r);
        transport.send({ seq: mine, type: 'request', command, arguments: args });
      });
      transport.onMessage((m) => {
        const r = m as P.Response;
        if (r?.type === 'response') { waiting.get(r.request_seq)?.(r); waiting.delete(r.request_seq); }
      });
      transport.onClose(() => reject(new RunInKernelError(`kernel ${kernel.kernelId} closed the connection before answering`)));
      if (timeoutMs !== undefined) setTimeout(() => reject(new RunInKernelError(`kernel ${kernel.kernelId} did not answer within ${timeoutMs / 1000} s`)), timeoutMs).unref();
      void (async () => {
        const init = await request('initialize', { adapterID: 'llmspell', clientID: 'llmspell-kernel-run', clientName: 'llmspell kernel run', linesStartAt1: true, columnsStartAt1: true });
        if (!init.success) throw new RunInKernelError(`kernel ${kernel.kernelId} refused initialize: ${init.message ?? 'no reason given'}`);
        const answer = await request(command, { ...args, token: kernel.key });
        if (!answer.success) throw new RunInKernelError(`kernel ${kernel.kernelId} ${failed}: ${answer.message ?? 'no reason given'}`);
        return answer.body as R;
      })().then(resolve, reject);
    });
  } finally {
    transport.close();
  }
}

function connect(kernel: KernelDapAddress): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(kernel.port, kernel.host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RunInKernelError(`kernel ${kernel.kernelId} did not accept a connection on ${kernel.host}:${kernel.port} within ${CONNECT_TIMEOUT_MS / 1000} s`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => { clearTimeout(timer); socket.setNoDelay(true); resolve(socket); });
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(new RunInKernelError(`cannot reach kernel ${kernel.kernelId} on ${kernel.host}:${kernel.port}: ${e.message}`));
    });
  });
}
