// `llmspell kernel connect ID`: a line console on a running kernel over the Jupyter protocol.
// Each complete input (the kernel's is_complete_request decides; incomplete input continues
// on the next line) is an execute_request; its stream output, result and error are printed as
// they arrive. io.read in a cell reads the next line. Ctrl-C interrupts the running cell;
// Ctrl-D or .quit leaves, and the kernel keeps running for its other clients.
import { cellOutput } from './cell-output.js';
import type { ConnectionInfo } from '../jupyter/connection-file.js';
import { JupyterClient } from '../jupyter/client.js';
import type { Message } from '../jupyter/wire.js';
import { LineReader } from './line-reader.js';
import { styleFor } from './style.js';

export interface KernelConsoleOptions {
  id: string;
  info: ConnectionInfo;
}

/** Runs the console until input ends; the exit code is 0, or 1 when the kernel went away. */
export async function runKernelConsole(o: KernelConsoleOptions): Promise<number> {
  const client = new JupyterClient(o.info);
  const tty = !!process.stdout.isTTY && !!process.stdin.isTTY;
  const style = styleFor(tty);
  let running: string | null = null;
  let kernelGone = false;
  let buffer = '';

  const reader = new LineReader({
    onInterrupt: () => {
      if (running) {
        void client.request('control', 'interrupt_request', {}).reply;
        return;
      }
      buffer = '';
      reader.clearLine();
      reader.print(style.dim('(.quit or Ctrl-D to leave; the kernel keeps running)'));
      reader.prompt('> ');
    },
  });
  const out = (text: string): void => { process.stdout.write(text); };
  const err = (text: string): void => { process.stderr.write(text); };
  const lineEnd = (t: string): string => (t.endsWith('\n') ? t : `${t}\n`);

  client.onInputRequest = (msg) => {
    const prompt = String(msg.content.prompt ?? '');
    if (prompt) out(prompt);
    void reader.next().then((line) => client.inputReply(msg, line ?? ''));
  };
  let wakeGone: (() => void) | null = null;
  const gone = new Promise<void>((resolve) => { wakeGone = resolve; });
  client.onBroadcast = (msg) => {
    if (msg.header.msg_type === 'shutdown_reply') {
      kernelGone = true;
      wakeGone?.();
    }
  };

  try {
    const info = await client.connect();
    if (tty) {
      const banner = typeof info.banner === 'string' ? info.banner : 'llmspell';
      reader.print(style.dim(`Connected to kernel ${o.id} (${banner}). .quit or Ctrl-D to leave; Ctrl-C interrupts a running cell.`));
    }
    for (;;) {
      reader.prompt(buffer ? '>> ' : '> ');
      const line = await Promise.race([reader.next(), gone.then(() => null)]);
      if (line === null || kernelGone) break;
      if (!buffer && /^\s*\.(quit|exit)\s*$/.test(line)) break;
      buffer = buffer ? `${buffer}\n${line}` : line;
      if (!buffer.trim()) { buffer = ''; continue; }
      const check = await Promise.race([client.request('shell', 'is_complete_request', { code: buffer }).reply, gone.then(() => null)]);
      if (!check) break;
      if (check.content.status === 'incomplete') continue;
      const code = buffer;
      buffer = '';
      if (!(await execute(code))) break;
    }
  } finally {
    reader.close();
    client.close();
  }
  if (kernelGone) {
    err(`llmspell: kernel ${o.id} shut down\n`);
    return 1;
  }
  return 0;

  /** Runs one cell and prints what it produces; false when the kernel went away meanwhile. */
  async function execute(code: string): Promise<boolean> {
    const { msgId, reply } = client.request('shell', 'execute_request', { code, silent: false, store_history: true, allow_stdin: true, stop_on_error: false });
    running = msgId;
    let idle!: () => void;
    const becameIdle = new Promise<void>((resolve) => { idle = resolve; });
    client.listen(msgId, (msg: Message) => {
      const o = cellOutput(msg);
      if (!o) return;
      if (o.kind === 'stream') (o.name === 'stderr' ? err : out)(o.text);
      else if (o.kind === 'result' || o.kind === 'display') out(lineEnd(o.text));
      else if (o.kind === 'error') err(lineEnd(style.red(o.text)));
      else idle();
    });
    try {
      // Output arrives on iopub, the reply on shell: done when both are in.
      const done = await Promise.race([Promise.all([reply, becameIdle]).then(() => true), gone.then(() => false)]);
      return done;
    } finally {
      client.unlisten(msgId);
      running = null;
    }
  }
}
