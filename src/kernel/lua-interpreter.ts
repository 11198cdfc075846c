// The kernel's interpreter, in the xeus sense: execute, complete, inspect, is_complete,
// kernel_info and history for Lua, on one persistent session. It never touches a socket: it
// publishes through the Publisher it is given.
import { ExecutionManager, type StoppedEvent } from '../debug/index.js';
import { DebugConsole } from '../terminal/debug-console.js';
import { styleFor } from '../terminal/style.js';
import type { RunOutcome } from '../runtime/index.js';
import { CellFiles } from './cell-files.js';
import { LUA_HELP } from './lua-help.js';

export interface Publisher {
  stream(name: 'stdout' | 'stderr', text: string): void;
  executeResult(count: number, data: Record<string, string>): void;
  error(ename: string, evalue: string, traceback: string[]): void;
  /** io.read in a cell: ask the frontend (input_request); null when it cannot answer. */
  input(prompt: string): Promise<string | null>;
}

export type ExecuteReply =
  | { status: 'ok'; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
  | { status: 'error'; execution_count: number; ename: string; evalue: string; traceback: string[] };

export interface ExecuteOptions {
  silent: boolean;
  storeHistory: boolean;
}

export class LuaInterpreter {
  readonly em = new ExecutionManager();
  readonly cells = new CellFiles();
  executionCount = 0;
  readonly history: [number, number, string][] = [];
  private publisher: Publisher | null = null;
  version = 'Lua 5.4';

  async start(): Promise<void> {
    const rt = await this.em.start({ stdin: 'request', debug: true });
    this.version = (await rt.start()).version;
    this.em.on('output', (o) => {
      if (o.category === 'console') this.publisher?.stream('stderr', o.text);
      else this.publisher?.stream(o.category, o.text);
    });
    rt.inputProvider = () => (this.publisher ? this.publisher.input('') : Promise.resolve(null));
  }

  kernelInfo(): Record<string, unknown> {
    return {
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'llmspell',
      implementation_version: '0.1.0',
      language_info: {
        name: 'lua',
        version: this.version.replace(/^Lua /, ''),
        mimetype: 'text/x-lua',
        file_extension: '.lua',
        pygments_lexer: 'lua',
        codemirror_mode: 'lua',
      },
      banner: `llmspell: ${this.version} with a debugger`,
      debugger: true,
      help_links: [
        { text: 'Lua 5.4 Reference Manual', url: 'https://www.lua.org/manual/5.4/' },
        { text: 'Programming in Lua', url: 'https://www.lua.org/pil/' },
      ],
    };
  }

  async execute(code: string, opts: ExecuteOptions, publisher: Publisher): Promise<ExecuteReply> {
    if (opts.storeHistory && !opts.silent) {
      this.executionCount++;
      this.history.push([1, this.executionCount, code]);
    }
    const count = this.executionCount;
    if (/^%%debug\b/.test(code)) return this.executeUnderDebugger(code.replace(/^%%debug[^\n]*\n?/, ''), count, opts, publisher);
    // Cells run from the file JupyterLab's debugger names, so breakpoints in a cell bind to it.
    const file = this.cells.dump(code);
    this.publisher = publisher;
    let outcome: RunOutcome;
    try {
      outcome = await this.em.runChunk(code, `@${file}`, true);
    } finally {
      this.publisher = null;
    }
    if (outcome.status === 'ok') {
      if (!opts.silent && outcome.values.length) publisher.executeResult(count, { 'text/plain': outcome.values.join('\t') });
      return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
    }
    const { ename, evalue, traceback } = describeError(outcome);
    publisher.error(ename, evalue, traceback);
    return { status: 'error', execution_count: count, ename, evalue, traceback };
  }

  /**
   * `%%debug`: the cell stops at its first line and the terminal debugger's commands are read
   * through input_request, for frontends without a debugger panel.
   */
  private async executeUnderDebugger(code: string, count: number, opts: ExecuteOptions, publisher: Publisher): Promise<ExecuteReply> {
    const file = this.cells.dump(code);
    const ui = new DebugConsole(this.em, { print: (t) => publisher.stream('stdout', `${t}\n`), style: styleFor(false) }, { loadedFiles: () => [], searchRoots: [this.cells.prefix], component: 'kernel-debug' });
    const stops: StoppedEvent[] = [];
    let wake: (() => void) | null = null;
    const onStop = (s: StoppedEvent): void => { stops.push(s); wake?.(); };
    this.em.on('stopped', onStop);
    this.publisher = publisher;
    let done = false;
    try {
      await this.em.stopOnNextRun();
      const run = this.em.runChunk(code, `@${file}`, true).finally(() => { done = true; wake?.(); });
      while (!done) {
        if (!stops.length) { await new Promise<void>((r) => { wake = r; }); wake = null; continue; }
        await ui.announceStop(stops.shift()!);
        for (let resumed = false; !resumed;) {
          const line = await publisher.input('(debug) ');
          if (line === null) { await ui.command('.continue'); break; }
          if (!line.trim()) continue;
          if (ui.isCommand(line)) {
            const r = await ui.command(line === '.quit' || line === '.q' ? '.continue' : line);
            resumed = r === 'resumed';
          } else await ui.evaluate(line);
        }
      }
      const outcome = await run;
      if (outcome.status === 'ok') {
        if (!opts.silent && outcome.values.length) publisher.executeResult(count, { 'text/plain': outcome.values.join('\t') });
        return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
      }
      const { ename, evalue, traceback } = describeError(outcome);
      publisher.error(ename, evalue, traceback);
      return { status: 'error', execution_count: count, ename, evalue, traceback };
    } finally {
      this.publisher = null;
      this.em.off('stopped', onStop);
    }
  }

  isComplete(code: string): Promise<{ status: 'complete' | 'incomplete' | 'invalid'; indent?: string }> {
    return this.em.checkComplete(code).then((r) => (r.status === 'incomplete' ? { status: 'incomplete', indent: '  ' } : { status: r.status }));
  }

  async complete(code: string, cursor: number): Promise<{ matches: string[]; cursor_start: number; cursor_end: number }> {
    const before = code.slice(0, cursor);
    const partial = /[A-Za-z_][\w]*$/.exec(before)?.[0] ?? '';
    let matches: string[] = [];
    try {
      matches = (await this.em.completions(before, before.length + 1)).map((i) => i.label);
    } catch {
      matches = [];
    }
    return { matches, cursor_start: cursor - partial.length, cursor_end: cursor };
  }

  /** Shift-Tab: the standard library's signature and description, or a preview of a value. */
  async inspect(code: string, cursor: number): Promise<{ found: boolean; data: Record<string, string> }> {
    const name = nameAt(code, cursor);
    if (!name) return { found: false, data: {} };
    const help = LUA_HELP[name];
    let preview = '';
    try {
      const r = await this.em.evaluate(name, undefined, 'hover');
      preview = `${name}: ${r.type} = ${r.value}`;
    } catch {
      if (!help) return { found: false, data: {} };
    }
    const text = help ? `${help[0]}\n\n${help[1]}${preview ? `\n\n${preview}` : ''}` : preview;
    return { found: true, data: { 'text/plain': text } };
  }

  interrupt(): void {
    this.em.interrupt();
  }

  async shutdown(): Promise<void> {
    await this.em.dispose();
    this.cells.cleanup();
  }
}

/** The dotted name around the cursor (`string.format`, `t.x`), if any. */
export function nameAt(code: string, cursor: number): string {
  const left = /[A-Za-z_][\w.]*$/.exec(code.slice(0, cursor))?.[0] ?? '';
  const right = /^[\w]*/.exec(code.slice(cursor))?.[0] ?? '';
  return `${left}${right}`.replace(/^\.+|\.+$/g, '');
}

function describeError(o: Exclude<RunOutcome, { status: 'ok' }>): { ename: string; evalue: string; traceback: string[] } {
  switch (o.status) {
    case 'error': {
      const ename = o.kind === 'syntax' ? 'SyntaxError' : o.message.endsWith('interrupted!') ? 'Interrupted' : 'LuaError';
      return { ename, evalue: o.message, traceback: [o.message, ...(o.traceback ? o.traceback.split('\n') : [])] };
    }
    case 'exit':
      return { ename: 'Exit', evalue: `os.exit(${o.code}) ended the session; restart the kernel`, traceback: [] };
    case 'terminated':
      return { ename: 'Terminated', evalue: 'the session was terminated; restart the kernel', traceback: [] };
  }
}
