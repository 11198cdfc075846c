// `llmspell kernel connect ID --debug`: the terminal debugger attached to a running kernel. It is
// one of the kernel's DAP clients (RemoteDebuggee, on dap_port with the connection file's key)
// and, to run code, one of its Jupyter clients. At the `>` prompt a line of Lua (or several,
// while the kernel says the input is incomplete) runs as a cell in the kernel's session, and
// `.load FILE` runs a file there; breakpoints set with `.break` stop that code and anyone
// else's (Jupyter cells, `kernel connect` input, scripts). Every stop of the kernel is
// announced here, whoever caused it, and served with the debugger's commands at the `(debug)`
// prompt; any client may resume it. Leaving (`.quit`, Ctrl-D) takes this console's breakpoints
// with it; the kernel goes on.
import { cellOutput } from './cell-output.js';
import * as path from 'node:path';
import type { ConnectionInfo } from '../jupyter/connection-file.js';
import { JupyterClient } from '../jupyter/client.js';
import type { Message } from '../jupyter/wire.js';
import type { KernelDapAddress } from '../kernel/kernel-lookup.js';
import { DebugConsole, type CommandResult } from './debug-console.js';
import { LineReader } from './line-reader.js';
import { Mailbox } from './mailbox.js';
import { RemoteDebuggee } from './remote-debuggee.js';
import { SessionDriver } from './session-driver.js';
import { luaPathDirs, relativeName } from './source-files.js';
import { styleFor } from './style.js';

export interface KernelDebugConsoleOptions {
  id: string;
  info: ConnectionInfo;
  dap: KernelDapAddress;
}

/** Runs until input ends or the user quits (exit code 0), or the kernel goes away (1). */
export async function runKernelDebugConsole(o: KernelDebugConsoleOptions): Promise<number> {
  const jupyter = new JupyterClient(o.info);
  const remote = new RemoteDebuggee(() => void jupyter.request('control', 'interrupt_request', {}).reply);
  const tty = !!process.stdout.isTTY && !!process.stdin.isTTY;
  const style = styleFor(tty);
  const loaded = new Set<string>();
  let buffer = '';
  let gone: string | null = null;
  const wake = new Mailbox<'stop' | 'gone'>();

  const reader = new LineReader({
    onInterrupt: () => {
      if (driver.busy) { driver.interrupt(); return; }
      buffer = '';
      reader.clearLine();
      print(style.dim('(.quit or Ctrl-D to leave; the kernel keeps running)'));
      reader.prompt('> ');
    },
    completer: (line) => ui.complete(line),
  });
  const print = (t: string): void => reader.print(t);
  const ui: DebugConsole = new DebugConsole(remote, { print, style }, {
    loadedFiles: () => [...loaded],
    searchRoots: [process.cwd(), ...luaPathDirs()],
    component: 'kernel-debug',
    // Code may run in the kernel though this console sent none: ask the kernel whatever we know.
    requestPause: () => { if (!driver.pause()) remote.pause(); return true; },
    extraCommands: [
      { names: ['.load'], args: 'FILE', help: "run a Lua file in the kernel's session (dofile)", run: (a) => load(a) },
      { names: ['.interrupt'], help: 'stop the cell the kernel runs (as `kernel interrupt` does)', whileRunning: true, run: async () => { remote.interrupt(); return 'stay'; } },
    ],
  });
  // Before attaching: a kernel already stopped says so as soon as this client attaches.
  const driver = new SessionDriver(remote, reader, ui, {
    prompt: style.bold('(debug) '), ctrlC: 'pause', print, style,
    heldNote: '(the kernel is running: this runs at the next stop; .pause or Ctrl-C stops it)',
  });

  // Cells other clients run, by msg_id, from the kernel's busy/idle broadcasts.
  const othersCells = new Set<string>();
  const cellsChanged = new Mailbox<void>();
  jupyter.onBroadcast = (msg) => {
    if (msg.header.msg_type === 'shutdown_reply') { remote.notes.emit('gone', 'the kernel shut down'); return; }
    if (msg.header.msg_type !== 'status' || msg.parent_header.msg_type !== 'execute_request') return;
    const cell = msg.parent_header.msg_id;
    if (!cell) return;
    const state = msg.content.execution_state;
    if (state === 'busy') othersCells.add(cell);
    else if (state === 'idle') othersCells.delete(cell);
    cellsChanged.push();
  };
  remote.on('output', (out) => (out.category === 'stderr' ? process.stderr : process.stdout).write(out.text));
  remote.on('loadedSource', (p) => loaded.add(p));
  remote.on('stopped', () => wake.push('stop'));
  remote.notes.on('gone', (why) => { gone ??= why; wake.push('gone'); cellsChanged.push(); });
  remote.notes.on('shared', (n) => {
    const b = n.breakpoint;
    const where = b.source?.path ? `${relativeName(b.source.path)}:${b.line ?? '?'}` : `#${b.id}`;
    if (n.reason !== 'changed') print(style.dim(`(shared breakpoint ${n.reason === 'new' ? 'set' : 'cleared'} at ${where})`));
  });

  try {
    await jupyter.connect();
    await remote.connect(o.dap);
    for (const p of await remote.loadedSources().catch(() => [])) loaded.add(p);
    if (tty) print(style.dim(`Debugging kernel ${o.id}: Lua runs there as a cell; .help lists the debugger's commands; .quit or Ctrl-D leaves (the kernel keeps running).`));
    const code = await loop();
    return code;
  } finally {
    reader.close();
    await remote.disconnect();
    jupyter.close();
  }

  async function loop(): Promise<number> {
    for (;;) {
      if (gone) return left();
      if (remote.isStopped && !buffer) {
        // Someone's code stopped (or was stopped when we attached): serve it until that code is done.
        const r = await driver.serve(othersCodeDone());
        if (r.kind === 'quit') return 0;
        if (r.kind === 'endOfInput') { print(style.dim('(end of input: leaving; the kernel goes on)')); return 0; }
        continue;
      }
      reader.prompt(buffer ? '>> ' : '> ');
      while (wake.take() !== undefined) { /* the loop looks at the state itself */ }
      if (!remote.isStopped && !gone) await Promise.race([reader.ready(), wake.ready()]);
      if (gone) return left();
      if (remote.isStopped && !buffer) continue;
      const line = reader.take();
      if (line === undefined) continue;
      if (line === null) return 0;
      if (!buffer && ui.isCommand(line)) {
        if ((await ui.command(line)) === 'quit') return 0;
        continue;
      }
      buffer = buffer ? `${buffer}\n${line}` : line;
      if (!buffer.trim()) { buffer = ''; continue; }
      const check = await jupyter.request('shell', 'is_complete_request', { code: buffer }).reply;
      if (check.content.status === 'incomplete') continue;
      const cell = buffer;
      buffer = '';
      if ((await run(cell)) === 'quit') return 0;
    }
  }

  function left(): number {
    print(style.red(`llmspell: kernel ${o.id}: ${gone}`));
    return 1;
  }

  /** Resolves once no code of another client runs or is stopped (or the kernel is gone). */
  function othersCodeDone(): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const check = (): void => {
        if (done) return;
        if (gone || (!remote.isStopped && othersCells.size === 0)) { done = true; remote.off('continued', check); resolve(); return; }
        void cellsChanged.ready().then(() => { while (cellsChanged.take() !== undefined) { /* seen */ } check(); });
      };
      remote.on('continued', check);
      check();
    });
  }

  /** Runs a cell, serving the stops it meets; 'quit' when the session should end. */
  async function run(code: string): Promise<CommandResult> {
    ui.request('run', code);
    const r = await driver.serve(execute(code));
    if (r.kind === 'quit') return 'quit';
    if (r.kind === 'endOfInput') { print(style.dim('(end of input: leaving; the kernel goes on)')); return 'quit'; }
    return gone ? 'quit' : 'stay';
  }

  async function load(arg: string): Promise<CommandResult> {
    if (!arg) { print(style.red('usage: .load FILE')); return 'stay'; }
    if (driver.busy) { print(style.red('.load runs a file: not while the kernel is stopped (.continue first)')); return 'stay'; }
    return run(`dofile(${JSON.stringify(path.resolve(arg))})`);
  }

  /** One execute_request; its result and error are printed here (its output comes as the debugger's). */
  async function execute(code: string): Promise<void> {
    const { msgId, reply } = jupyter.request('shell', 'execute_request', { code, silent: false, store_history: true, allow_stdin: false, stop_on_error: false });
    let idle!: () => void;
    const becameIdle = new Promise<void>((resolve) => { idle = resolve; });
    jupyter.listen(msgId, (msg: Message) => {
      const o = cellOutput(msg);
      if (o?.kind === 'result') print(o.text.replace(/\n$/, ''));
      else if (o?.kind === 'error') print(style.red(o.text));
      else if (o?.kind === 'idle') idle();
    });
    let onGone = (): void => undefined;
    const ended = new Promise<void>((resolve) => { onGone = resolve; remote.notes.once('gone', onGone); });
    try {
      await Promise.race([Promise.all([reply, becameIdle]), ended]);
    } finally {
      jupyter.unlisten(msgId);
      remote.notes.off('gone', onGone); // one listener per cell would pile up
    }
  }
}
