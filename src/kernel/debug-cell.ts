// `%%debug` cells: the cell runs under the terminal debugger's commands (.step, .locals,
// .continue, …), read one line at a time from the frontend (input_request), so debugging works
// in frontends without a debugger panel (classic notebook, jupyter console).
import type { ExecutionManager, StoppedEvent } from '../debug/index.js';
import type { RunOutcome } from '../runtime/index.js';
import { DebugConsole } from '../terminal/debug-console.js';
import { styleFor } from '../terminal/style.js';

const MAGIC = /^%%debug\b[^\n]*(?:\n|$)/;

/** The cell's code without its `%%debug` line, or null when it is not a %%debug cell. */
export function debugCellBody(code: string): string | null {
  return MAGIC.test(code) ? code.replace(MAGIC, '') : null;
}

export interface DebugCellHost {
  em: ExecutionManager;
  /** Where the cell files are (bare file names in `.break` are looked up there). */
  searchRoot: string;
  /** A line of the debugger's output (the cell's stdout). */
  print(text: string): void;
  /** Asks the frontend for a command; null when it gives none (no stdin) or the cell is interrupted. */
  ask(prompt: string): Promise<string | null>;
  /** Ends a pending ask with null. */
  cancelAsk(): void;
  /** Whether the cell was interrupted (it is then resumed by the kernel, not prompted). */
  interrupted(): boolean;
}

export async function runDebugCell(host: DebugCellHost, code: string, file: string): Promise<RunOutcome> {
  const { em } = host;
  let quiet = false;
  const print = (t: string): void => { if (!quiet) host.print(t); };
  const ui = new DebugConsole(em, { print, style: styleFor(false) }, { loadedFiles: () => [file], searchRoots: [host.searchRoot], component: 'kernel-debug' });
  const stops: StoppedEvent[] = [];
  let wake: (() => void) | null = null;
  const onStop = (s: StoppedEvent): void => { stops.push(s); wake?.(); };
  em.on('stopped', onStop);
  const forgetBreakpoints = async (): Promise<void> => {
    quiet = true;
    await ui.command('.clear').catch(() => undefined);
    quiet = false;
  };
  let done = false;
  try {
    await em.stopOnNextRun();
    // A cell that ends while its prompt waits (it was interrupted) ends the prompt too.
    const run = em.runChunk(code, `@${file}`, true).finally(() => { done = true; wake?.(); host.cancelAsk(); });
    // After .quit (or when no command comes), the cell runs to its end without stopping again.
    let detached = false;
    while (!done) {
      if (!stops.length) { await new Promise<void>((r) => { wake = r; }); wake = null; continue; }
      const stop = stops.shift()!;
      if (host.interrupted()) continue;
      if (detached) { await em.continue().catch(() => undefined); continue; }
      await ui.announceStop(stop);
      for (;;) {
        const line = await host.ask('(debug) ');
        if (line === null) detached = true;
        else if (!line.trim()) continue;
        else if (!ui.isCommand(line)) { await ui.evaluate(line); continue; }
        else {
          const r = await ui.command(line);
          if (r === 'resumed') break;
          if (r === 'quit') detached = true;
        }
        if (detached) {
          await forgetBreakpoints();
          if (!done && em.isStopped) await em.continue().catch(() => undefined);
          break;
        }
      }
    }
    return await run;
  } finally {
    em.off('stopped', onStop);
    // Breakpoints set with .break last as long as their cell: nobody would answer a stop later.
    await forgetBreakpoints();
  }
}
