// `llmspell repl`: a persistent Lua session. Expressions print their values, statements run,
// incomplete input continues on the next line; the debug commands work on code typed or
// loaded here, so a breakpoint in a loaded file stops when a typed line calls into it.
import * as path from 'node:path';
import { ExecutionManager } from '../debug/index.js';
import { logger } from '../log/index.js';
import type { RunOutcome } from '../runtime/index.js';
import { DebugConsole, type CommandResult } from './debug-console.js';
import { LineReader } from './line-reader.js';
import { SessionDriver } from './session-driver.js';
import { luaPathDirs } from './source-files.js';
import { styleFor } from './style.js';

export async function runRepl(): Promise<number> {
  const log = logger('repl');
  const em = new ExecutionManager();
  const loaded = new Set<string>();
  em.on('loadedSource', (p) => loaded.add(p));
  em.on('output', (o) => (o.category === 'stderr' ? process.stderr : process.stdout).write(o.text));

  const tty = !!process.stdout.isTTY && !!process.stdin.isTTY;
  const style = styleFor(tty);
  let buffer = '';
  let exitCode = 0;

  const reader = new LineReader({
    onInterrupt: () => {
      if (driver.busy) { driver.interrupt(); return; }
      // At the prompt: drop what was typed, as a shell does.
      buffer = '';
      reader.clearLine();
      print(style.dim('(.quit or Ctrl-D to leave)'));
      reader.prompt('> ');
    },
    completer: (line) => ui.complete(line),
  });
  const print = (t: string): void => reader.print(t);
  const ui: DebugConsole = new DebugConsole(em, { print, style }, {
    loadedFiles: () => [...loaded],
    searchRoots: [process.cwd(), ...luaPathDirs()],
    component: 'repl',
    requestPause: () => driver.pause(),
    extraCommands: [{ names: ['.load'], args: 'FILE', help: 'run a Lua file in the session (its globals stay)', run: (a) => load(a) }],
  });
  const driver = new SessionDriver(em, reader, ui, { prompt: style.bold('(debug) '), ctrlC: 'interrupt', print, style });
  try {
    // Started after the reader, so Ctrl-C (SIGINT through a pipe) is ours from the first moment.
    const rt = await em.start({ stdin: 'none', debug: true });
    const { version } = await rt.start();
    log.info({ version }, 'session started');
    if (tty) print(style.dim(`llmspell REPL (${version}). .help for commands, .quit to leave.`));
    await readEvalPrint(() => rt.isAlive);
    return exitCode;
  } finally {
    reader.close();
    await em.dispose();
  }

  async function readEvalPrint(alive: () => boolean): Promise<void> {
    for (;;) {
      reader.prompt(buffer ? '>> ' : '> ');
      const line = await reader.next();
      if (line === null) return;
      if (!buffer && ui.isCommand(line)) {
        if ((await ui.command(line)) === 'quit') return;
        continue;
      }
      buffer = buffer ? `${buffer}\n${line}` : line;
      if (!buffer.trim()) { buffer = ''; continue; }
      const { status } = await em.checkComplete(buffer);
      if (status === 'incomplete') continue;
      const code = buffer;
      buffer = '';
      ui.request('run', code);
      if ((await run(code, '=stdin')) === 'quit' || !alive()) return;
    }
  }

  function report(o: RunOutcome): void {
    if (o.status === 'ok' && o.values.length) print(o.values.join('\t'));
    else if (o.status === 'error') print(style.red(o.traceback ? `${o.message}\n${o.traceback}` : o.message));
    else if (o.status === 'exit') exitCode = o.code;
  }

  /** Runs a chunk in the session, serving breakpoints it meets; 'quit' when the session should end. */
  async function run(code: string, name: string): Promise<CommandResult> {
    const r = await driver.serve(em.runChunk(code, name, true));
    if (r.kind !== 'finished') return 'quit';
    report(r.value);
    return r.value.status === 'exit' ? 'quit' : 'stay';
  }

  async function load(arg: string): Promise<CommandResult> {
    if (!arg) { print(style.red('usage: .load FILE')); return 'stay'; }
    if (driver.busy) { print(style.red('.load runs a file: not while the script is stopped (.continue first)')); return 'stay'; }
    return run(`return dofile(${JSON.stringify(path.resolve(arg))})`, '=stdin');
  }
}
