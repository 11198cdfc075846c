// The kernel's interpreter, in the xeus sense: execute, complete, inspect, is_complete,
// kernel_info and history for Lua, on one persistent session. It never touches a socket: it
// publishes through the Publisher it is given.
import { ExecutionManager } from '../debug/index.js';
import type { RunOutcome } from '../runtime/index.js';
import { CellFiles } from './cell-files.js';
import { debugCellBody, runDebugCell, type DebugCellHost } from './debug-cell.js';
import { DisplayChannel, JUPYTER_PRELUDE } from './display-channel.js';
import { History } from './history.js';
import { LUA_HELP } from './lua-help.js';

export interface Publisher {
  stream(name: 'stdout' | 'stderr', text: string): void;
  executeResult(count: number, data: Record<string, string>): void;
  display(data: Record<string, string>, metadata: Record<string, string>): void;
  clearOutput(wait: boolean): void;
  error(ename: string, evalue: string, traceback: string[]): void;
  /** Whether the frontend takes input_request (execute_request's allow_stdin). */
  readonly allowStdin: boolean;
  /** io.read in a cell: ask the frontend (input_request); null for end of input. */
  input(prompt: string): Promise<string | null>;
}

export type ExecuteReply =
  | { status: 'ok'; execution_count: number; user_expressions: Record<string, unknown>; payload: unknown[] }
  | { status: 'error'; execution_count: number; ename: string; evalue: string; traceback: string[] };

export interface ExecuteOptions {
  silent: boolean;
  storeHistory: boolean;
}

/** `?name` or `name?`: the help for name, shown in the pager (as IPython does). */
const HELP_REQUEST = /^\s*(?:\?\s*([A-Za-z_][\w.:]*)|([A-Za-z_][\w.:]*)\s*\?)\s*$/;

/** `exit` or `quit` (with or without `()`) when no such global exists: the frontend may end. */
const EXIT_REQUEST = /^\s*(exit|quit)\s*(?:\(\s*\))?\s*$/;

export class LuaInterpreter {
  readonly em = new ExecutionManager();
  readonly cells = new CellFiles();
  executionCount = 0;
  readonly history = new History();
  private publisher: Publisher | null = null;
  private stdout: DisplayChannel | null = null;
  /** Ends a wait for input (io.read, a %%debug prompt) when the cell is interrupted. */
  private cancelInput: (() => void) | null = null;
  /** The running cell was interrupted: it fails as interrupted even if it got to its end first. */
  private interrupted = false;
  /** The running cell called io.read but its frontend takes no input. */
  private stdinRefused = false;
  private interruptTimer: NodeJS.Timeout | null = null;
  version = 'Lua 5.4';

  async start(): Promise<void> {
    const rt = await this.em.start({ stdin: 'request', debug: true });
    this.version = (await rt.start()).version;
    this.em.on('output', (o) => {
      if (o.category === 'stdout' && this.stdout) this.stdout.write(o.text);
      else if (o.category === 'console') this.publisher?.stream('stderr', o.text);
      else this.publisher?.stream(o.category, o.text);
    });
    // An interrupted cell that stops again (another breakpoint) goes on to its interrupt.
    this.em.on('stopped', () => {
      if (this.interrupted && this.publisher) void this.em.continue().catch(() => undefined);
    });
    // An interrupted io.read gets an empty line (not end of input, which would end input for
    // the rest of the session); the cell then fails as interrupted. Without stdin, the cell
    // fails the same way, with an error that says why (as ipykernel's StdinNotImplementedError).
    rt.inputProvider = () => {
      if (this.publisher && !this.publisher.allowStdin) {
        this.stdinRefused = true;
        this.em.interrupt();
        return Promise.resolve('');
      }
      return this.ask('', '');
    };
    const prelude = await this.em.runChunk(JUPYTER_PRELUDE, '=(jupyter)');
    if (prelude.status !== 'ok') throw new Error(`the kernel's jupyter table failed to load: ${JSON.stringify(prelude)}`);
  }

  /** Asks the frontend for a line; an interrupt ends the wait with `onInterrupt`. */
  private ask(prompt: string, onInterrupt: string | null): Promise<string | null> {
    const publisher = this.publisher;
    if (!publisher) return Promise.resolve(null);
    return new Promise((resolve) => {
      const cancel = (): void => {
        this.cancelInput = null;
        resolve(onInterrupt);
      };
      this.cancelInput = cancel;
      void publisher.input(prompt).then((line) => {
        if (this.cancelInput !== cancel) return;
        this.cancelInput = null;
        resolve(line);
      });
    });
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
      this.history.add(this.executionCount, code);
    }
    const count = this.executionCount;
    const help = HELP_REQUEST.exec(code);
    if (help) return this.page(help[1] ?? help[2], count);
    const exit = EXIT_REQUEST.exec(code);
    if (exit && await this.isUndefined(exit[1])) {
      // jupyter console ends on this payload, as after IPython's exit.
      return { status: 'ok', execution_count: count, user_expressions: {}, payload: [{ source: 'ask_exit', keepkernel: false }] };
    }
    const debugBody = debugCellBody(code);
    const body = debugBody ?? code;
    // Cells run from the file JupyterLab's debugger names, so breakpoints in a cell bind to it.
    const file = this.cells.dump(body);
    this.publisher = publisher;
    this.interrupted = false;
    this.stdinRefused = false;
    this.stdout = new DisplayChannel((e) => {
      if (e.kind === 'text') publisher.stream('stdout', e.text);
      else if (e.kind === 'display') publisher.display(e.data, e.metadata);
      else publisher.clearOutput(e.wait);
    });
    let outcome: RunOutcome;
    try {
      outcome = debugBody !== null ? await runDebugCell(this.debugHost(publisher), body, file) : await this.em.runChunk(body, `@${file}`, true);
    } finally {
      this.stdout.flush();
      this.stdout = null;
      this.publisher = null;
      this.cancelInput = null;
      if (this.interruptTimer) clearInterval(this.interruptTimer);
      this.interruptTimer = null;
    }
    // Interrupted while it waited for input or was stopped, the cell may have ended before the interrupt hit.
    if (outcome.status === 'ok' && this.interrupted) outcome = { status: 'error', kind: 'runtime', message: 'interrupted!' };
    if (this.stdinRefused && !this.interrupted) {
      const ename = 'StdinNotImplementedError';
      const evalue = 'io.read was called, but this frontend does not support input requests';
      publisher.error(ename, evalue, [`${ename}: ${evalue}`]);
      return { status: 'error', execution_count: count, ename, evalue, traceback: [`${ename}: ${evalue}`] };
    }
    if (outcome.status === 'ok') {
      if (outcome.values.length) {
        const text = outcome.values.join('\t');
        if (opts.storeHistory && !opts.silent) this.history.setOutput(count, text);
        if (!opts.silent) publisher.executeResult(count, { 'text/plain': text });
      }
      return { status: 'ok', execution_count: count, user_expressions: {}, payload: [] };
    }
    const { ename, evalue, traceback } = describeError(outcome);
    publisher.error(ename, evalue, traceback);
    return { status: 'error', execution_count: count, ename, evalue, traceback };
  }

  private debugHost(publisher: Publisher): DebugCellHost {
    return {
      em: this.em,
      searchRoot: this.cells.prefix,
      print: (t) => publisher.stream('stdout', `${t}\n`),
      ask: (prompt) => this.ask(prompt, null),
      cancelAsk: () => this.cancelInput?.(),
      interrupted: () => this.interrupted,
    };
  }

  private async isUndefined(name: string): Promise<boolean> {
    try {
      return (await this.em.evaluate(name, undefined, 'hover')).type === 'nil';
    } catch {
      return false;
    }
  }

  /** `?name`: the inspect text as a page payload (jupyter console and notebooks show it in a pager). */
  private async page(name: string, count: number): Promise<ExecuteReply> {
    const r = await this.inspect(name, name.length);
    const text = r.found ? r.data['text/plain'] : `${name}: no help and no value (nil)`;
    return { status: 'ok', execution_count: count, user_expressions: {}, payload: [{ source: 'page', data: { 'text/plain': text }, start: 0 }] };
  }

  isComplete(code: string): Promise<{ status: 'complete' | 'incomplete' | 'invalid'; indent?: string }> {
    if (HELP_REQUEST.test(code) || /^%%debug\b[^\n]*$/.test(code)) return Promise.resolve({ status: 'complete' });
    return this.em.checkComplete(debugCellBody(code) ?? code).then((r) => (r.status === 'incomplete' ? { status: 'incomplete', indent: '  ' } : { status: r.status }));
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
    const help = LUA_HELP[name.replace(':', '.')];
    let preview = '';
    try {
      const r = await this.em.evaluate(name.replace(':', '.'), this.em.isStopped ? 1 : undefined, 'hover');
      if (r.type !== 'nil') preview = `${name}: ${r.type} = ${r.value}`;
    } catch {
      // not a value we can show
    }
    if (!help && !preview) return { found: false, data: {} };
    const text = help ? `${help[0]}\n\n${help[1]}${preview ? `\n\n${preview}` : ''}` : preview;
    return { found: true, data: { 'text/plain': text } };
  }

  /** Whether a cell is being executed (running, waiting for input, or stopped in the debugger). */
  get cellRunning(): boolean { return this.publisher !== null; }

  /** Stops the running cell: at once when it runs or waits for input, on resuming when stopped in the debugger. */
  interrupt(): void {
    if (!this.publisher) return; // no cell runs: nothing to stop
    this.interrupted = true;
    if (this.cancelInput) this.cancelInput(); // the prompt's loop resumes a %%debug cell
    else if (this.em.isStopped) void this.em.continue().catch(() => undefined);
    // The runtime takes an interrupt only while it runs, and a resumed cell may not run yet:
    // keep asking until the cell ends.
    this.em.interrupt();
    this.interruptTimer ??= setInterval(() => this.em.interrupt(), 50);
  }

  async shutdown(): Promise<void> {
    await this.em.dispose();
    this.cells.cleanup();
  }
}

/** The dotted name around the cursor (`string.format`, `t.x`), if any. */
export function nameAt(code: string, cursor: number): string {
  const left = /[A-Za-z_][\w.:]*$/.exec(code.slice(0, cursor))?.[0] ?? '';
  const right = /^[\w]*/.exec(code.slice(cursor))?.[0] ?? '';
  return `${left}${right}`.replace(/^[.:]+|[.:]+$/g, '');
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
