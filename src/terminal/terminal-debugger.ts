// `llmspell debug script.lua`: a debugger in the terminal, like pdb or `node inspect`.
// Commands run one at a time; a command that resumes the script waits for the next stop or the
// end, so a piped session is a script of commands.
import * as path from 'node:path';
import { ExecutionManager, type StoppedEvent } from '../debug/index.js';
import { DebugConsole } from './debug-console.js';
import { LineReader } from './line-reader.js';
import { styleFor } from './style.js';
import { relativeName } from './source-files.js';

export interface TerminalDebuggerOptions {
  script: string;
  args: string[];
  breaks: { file: string; line: number; condition?: string }[];
}

export async function runTerminalDebugger(opts: TerminalDebuggerOptions): Promise<number> {
  const em = new ExecutionManager();
  const loaded = new Set<string>();
  em.on('loadedSource', (p) => loaded.add(p));
  let reader: LineReader | null = null;
  const print = (t: string): void => (reader ? reader.print(t) : void process.stdout.write(`${t}\n`));
  em.on('output', (o) => {
    if (o.category === 'stderr') process.stderr.write(o.text);
    else process.stdout.write(o.text);
  });

  let nextEvent: ((e: { stop?: StoppedEvent; exit?: number }) => void) | null = null;
  const pending: { stop?: StoppedEvent; exit?: number }[] = [];
  const deliver = (e: { stop?: StoppedEvent; exit?: number }): void => {
    if (nextEvent) { const n = nextEvent; nextEvent = null; n(e); } else pending.push(e);
  };
  em.on('stopped', (stop) => deliver({ stop }));
  em.on('exited', (code) => deliver({ exit: code }));
  const waitEvent = (): Promise<{ stop?: StoppedEvent; exit?: number }> => {
    const e = pending.shift();
    if (e) return Promise.resolve(e);
    return new Promise((r) => { nextEvent = r; });
  };

  await em.start({ stdin: 'none', debug: true, stopOnEntry: opts.breaks.length === 0 });
  const style = styleFor(!!process.stdout.isTTY && !!process.stdin.isTTY);
  const consoleUI = new DebugConsole(em, { print, style }, () => [...loaded]);
  for (const b of opts.breaks) {
    const file = path.resolve(b.file);
    const existing = em.breakpointList().filter((x) => x.bp.source === file).map((x) => ({ line: x.bp.line ?? 0, condition: x.condition }));
    const states = await em.setBreakpoints(file, [...existing, { line: b.line, condition: b.condition }]);
    const st = states[states.length - 1];
    print(`Breakpoint ${st.id} at ${relativeName(file)}:${b.line}${b.condition ? ` if ${b.condition}` : ''}`);
  }

  reader = new LineReader({
    prompt: style.bold('(llmspell) '),
    onInterrupt: () => {
      if (em.isStopped) print(style.dim('(the script is stopped; .continue to run, .quit to leave)'));
      else { print(style.dim('pausing…')); em.pause(); }
    },
    completer: async (line) => {
      if (line.startsWith('.')) {
        const hits = consoleUI.commandNames.filter((n) => n.startsWith(line));
        return [hits, line];
      }
      if (!em.isStopped) return [[], line];
      const items = await em.completions(line, line.length + 1);
      const partial = /[A-Za-z_][\w]*$/.exec(line)?.[0] ?? '';
      return [items.map((i) => line.slice(0, line.length - partial.length) + i.label), line];
    },
  });

  print(style.dim(`Debugging ${relativeName(path.resolve(opts.script))}. Type .help for commands.`));
  em.runProgram(path.resolve(opts.script), opts.args);
  let exitCode = 0;
  try {
    let event = await waitEvent();
    for (;;) {
      if (event.exit !== undefined) {
        exitCode = event.exit;
        print(style.dim(`Script exited with code ${exitCode}`));
        break;
      }
      await consoleUI.announceStop(event.stop!);
      let resumed = false;
      while (!resumed) {
        const line = await reader.next();
        if (line === null) { await em.terminate(); return exitCode; }
        if (!line.trim()) continue;
        if (consoleUI.isCommand(line)) {
          const r = await consoleUI.command(line);
          if (r === 'quit') { await em.terminate(); return 0; }
          resumed = r === 'resumed';
        } else {
          await consoleUI.evaluate(line);
        }
      }
      event = await waitEvent();
    }
  } finally {
    reader.close();
    await em.dispose();
  }
  return exitCode;
}
