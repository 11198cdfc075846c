// `llmspell kernel run`'s side of the conversation: a short DAP connection to the kernel's
// dap_port that says `initialize`, then `llmspell/runScript` carrying the kernel's key as
// `token` (the request authenticates itself, so the connection never becomes a debugger
// client of the kernel), reads the answer (the script's thread id, or its exit code when
// asked to wait) and leaves. Nothing the kernel runs is stopped or resumed by it leaving.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as net from 'node:net';
import { RUN_SCRIPT, StreamTransport, type RunScriptResult } from '../dap/index.js';
import type { KernelDapAddress } from './kernel-lookup.js';

const CONNECT_TIMEOUT_MS = 10_000;

export class RunInKernelError extends Error {}

export interface RunInKernelRequest {
  program: string;
  args: string[];
  cwd: string;
  wait: boolean;
}

export async function runInKernel(kernel: KernelDapAddress, req: RunInKernelRequest): Promise<RunScriptResult> {
  const socket = await connect(kernel);
  const transport = new StreamTransport(socket, socket);
  try {
    return await new Promise<RunScriptResult>((resolve, reject) => {
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
      void (async () => {
        const init = await request('initialize', { adapterID: 'llmspell', clientID: 'llmspell-kernel-run', clientName: 'llmspell kernel run', linesStartAt1: true, columnsStartAt1: true });
        if (!init.success) throw new RunInKernelError(`kernel ${kernel.kernelId} refused initialize: ${init.message ?? 'no reason given'}`);
        const run = await request(RUN_SCRIPT, { program: req.program, args: req.args, cwd: req.cwd, wait: req.wait, token: kernel.key });
        if (!run.success) throw new RunInKernelError(`kernel ${kernel.kernelId} did not run ${req.program}: ${run.message ?? 'no reason given'}`);
        return run.body as RunScriptResult;
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
