// `llmspell debug script.lua`: a debugger in the terminal, like pdb or `node inspect`.
// Commands run one at a time; a command that resumes the script waits for the next stop or the
// end, so a piped session is a script of commands.
import * as path from 'node:path';
import { ExecutionManager } from '../debug/index.js';
import { logger } from '../log/index.js';
import { DebugConsole } from './debug-console.js';
import { LineReader } from './line-reader.js';
import { SessionDriver } from './session-driver.js';
import { styleFor } from './style.js';
import { relativeName, scriptSearchRoots } from './source-files.js';

export interface TerminalDebuggerOptions {
  script: string;
  args: string[];
  breaks: { file: string; line: number; condition?: string }[];
}

/** Exit code when a `--break-at` names no file or several. */
const EXIT_USAGE = 2;

export async function runTerminalDebugger(opts: TerminalDebuggerOptions): Promise<number> {
  const log = logger('terminal');
  const script = path.resolve(opts.script);
  const em = new ExecutionManager();
  const loaded = new Set<string>([script]);
  em.on('loadedSource', (p) => loaded.add(p));
  em.on('output', (o) => (o.category === 'stderr' ? process.stderr : process.stdout).write(o.text));
  const exited = new Promise<number>((resolve) => em.once('exited', (code) => resolve(code)));

  const tty = !!process.stdout.isTTY && !!process.stdin.isTTY;
  const style = styleFor(tty);
  // The reader first: from here on Ctrl-C (SIGINT through a pipe) is ours, not the default exit.
  const reader: LineReader = new LineReader({
    onInterrupt: () => driver.interrupt(),
    completer: (line) => ui.complete(line),
  });
  const print = (t: string): void => reader.print(t);
  const ui: DebugConsole = new DebugConsole(em, { print, style }, {
    loadedFiles: () => [...loaded],
    searchRoots: scriptSearchRoots(script),
    component: 'terminal',
    requestPause: () => driver.pause(),
  });
  const driver: SessionDriver = new SessionDriver(em, reader, ui, {
    prompt: style.bold('(llmspell) '),
    ctrlC: 'pause',
    print,
    style,
    heldNote: '(the script is running: this runs at the next stop; .pause or Ctrl-C stops it)',
  });

  log.info({ script, args: opts.args, breaks: opts.breaks.length }, 'starting');
  try {
    await em.start({ stdin: 'none', debug: true, stopOnEntry: opts.breaks.length === 0 });
    // Stop where an error would end the script, to look around before it does.
    await em.setExceptionBreakpoints([{ filter: 'uncaught' }]);
    for (const b of opts.breaks) {
      const problem = await ui.addBreakpoint(b.file, b.line, b.condition);
      if (problem) {
        process.stderr.write(`llmspell: --break-at ${b.file}:${b.line}: ${problem}\n`);
        return EXIT_USAGE;
      }
    }
    print(style.dim(`Debugging ${relativeName(script)}. Type .help for commands.`));
    em.runProgram(script, opts.args);
    const r = await driver.serve(exited);
    if (r.kind === 'finished') {
      print(style.dim(`Script exited with code ${r.value}`));
      log.info({ code: r.value }, 'script exited');
      return r.value;
    }
    if (r.kind === 'endOfInput') print(style.dim('(end of input: ending the script)'));
    log.info({ why: r.kind }, 'ending the script');
    await em.terminate();
    return 0;
  } finally {
    reader.close();
    await em.dispose();
  }
}
