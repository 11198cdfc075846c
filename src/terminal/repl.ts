// `llmspell repl`: a persistent Lua session. Expressions print their values, statements run,
// incomplete input continues on the next line; the debug commands work on code typed or
// loaded here, so a breakpoint in a loaded file stops when a typed line calls into it.
import * as path from 'node:path';
import { ExecutionManager, type StoppedEvent } from '../debug/index.js';
import { DebugConsole } from './debug-console.js';
import { LineReader } from './line-reader.js';
import { styleFor } from './style.js';

export async function runRepl(): Promise<number> {
  const em = new ExecutionManager();
  const loaded = new Set<string>();
  em.on('loadedSource', (p) => loaded.add(p));
  let reader: LineReader | null = null;
  const print = (t: string): void => (reader ? reader.print(t) : void process.stdout.write(`${t}\n`));
  em.on('output', (o) => (o.category === 'stderr' ? process.stderr : process.stdout).write(o.text));
  const stops: StoppedEvent[] = [];
  let onStop: (() => void) | null = null;
  em.on('stopped', (s) => { stops.push(s); onStop?.(); });

  const rt = await em.start({ stdin: 'none', debug: true });
  const tty = !!process.stdout.isTTY && !!process.stdin.isTTY;
  const style = styleFor(tty);
  const ui = new DebugConsole(em, { print, style }, () => [...loaded]);
  let running = false;
  reader = new LineReader({
    prompt: '> ',
    onInterrupt: () => {
      if (running && !em.isStopped) em.interrupt();
      else if (!running) print(style.dim('(.quit to leave)'));
    },
    completer: async (line) => {
      if (line.startsWith('.')) return [ui.commandNames.filter((n) => n.startsWith(line)), line];
      const items = await em.completions(line, line.length + 1).catch(() => []);
      const partial = /[A-Za-z_][\w]*$/.exec(line)?.[0] ?? '';
      return [items.map((i) => line.slice(0, line.length - partial.length) + i.label), line];
    },
  });
  if (tty) print(style.dim(`llmspell ${rt ? '' : ''}REPL (${(await rt.start()).version}). .help for commands, .quit to leave.`));

  /** Runs a chunk; while it is stopped at a breakpoint, serves debug commands until it resumes and ends. */
  const runWithDebugging = async (work: Promise<import('../runtime/index.js').RunOutcome>): Promise<import('../runtime/index.js').RunOutcome> => {
    running = true;
    let done = false;
    const finished = work.finally(() => { done = true; onStop?.(); });
    try {
      while (!done) {
        if (!stops.length) {
          await new Promise<void>((r) => { onStop = r; });
          onStop = null;
          continue;
        }
        const stop = stops.shift()!;
        await ui.announceStop(stop);
        let resumed = false;
        while (!resumed) {
          const line = await reader!.next(style.bold('(debug) '));
          if (line === null) { await em.dispose(); return { status: 'terminated' }; }
          if (!line.trim()) continue;
          if (ui.isCommand(line)) {
            const r = await ui.command(line);
            if (r === 'quit') { await em.dispose(); process.exit(0); }
            resumed = r === 'resumed';
          } else await ui.evaluate(line);
        }
      }
      return await finished;
    } finally {
      running = false;
    }
  };

  const report = (o: import('../runtime/index.js').RunOutcome): void => {
    if (o.status === 'ok' && o.values.length) print(o.values.join('\t'));
    else if (o.status === 'error') print(style.red(o.traceback ? `${o.message}\n${o.traceback}` : o.message));
  };

  let buffer = '';
  for (;;) {
    const line = await reader.next(buffer ? '>> ' : '> ');
    if (line === null) break;
    if (!buffer && ui.isCommand(line)) {
      const trimmed = line.trim();
      if (trimmed.startsWith('.load ')) {
        const file = path.resolve(trimmed.slice(6).trim());
        report(await runWithDebugging(em.runChunk(`return dofile(${JSON.stringify(file)})`, '=stdin', true)));
        continue;
      }
      const r = await ui.command(line);
      if (r === 'quit') break;
      continue;
    }
    buffer = buffer ? `${buffer}\n${line}` : line;
    if (!buffer.trim()) { buffer = ''; continue; }
    const { status } = await em.checkComplete(buffer);
    if (status === 'incomplete') continue;
    const code = buffer;
    buffer = '';
    report(await runWithDebugging(em.runChunk(code, '=stdin', true)));
    if (!rt.isAlive) break;
  }
  reader.close();
  await em.dispose();
  return 0;
}
