// The debugger's API for every front end (DAP bridge, terminal debugger, REPL, Jupyter):
// breakpoints per client, execution control and inspection of one script runtime. It knows
// no protocol; it lives on the main thread and never blocks (the runtime's worker does).
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import {
  ScriptRuntime, RuntimeState, takePrestartedRuntime, unpackVariables, type BreakpointState, type Completeness, type CompletionItem, type EvaluateContext, type EvaluateResult,
  type ExceptionFilterSpec, type FrameInfo, type RunOutcome, type RuntimeOptions,
  type ScopeInfo, type StopInfo, type VariableInfo,
} from '../runtime/index.js';
import { BreakpointBook } from './breakpoint-book.js';
import { SHARED_OWNER, type SourceBreakpoint } from './breakpoint-store.js';

export type { SourceBreakpoint };
export { SHARED_OWNER };

export interface Breakpoint extends BreakpointState {
  source?: string;
}

export interface StoppedEvent extends StopInfo {
  threadId: number;
}

export interface OutputEvent {
  category: 'stdout' | 'stderr' | 'console';
  text: string;
  source?: string;
  line?: number;
  /** The thread (runtime) that wrote it, where a debuggee has several. */
  threadId?: number;
}

export interface ExecutionEvents {
  stopped: [StoppedEvent];
  continued: [threadId: number];
  output: [OutputEvent];
  breakpoint: [Breakpoint];
  loadedSource: [path: string];
  /** The script ended; code as `llmspell run` would exit with. */
  exited: [code: number, outcome: RunOutcome];
  terminated: [];
}

export interface LaunchOptions {
  program: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  stopOnEntry?: boolean;
  noDebug?: boolean;
  stdin?: RuntimeOptions['stdin'];
}

/** Anything that delivers the ExecutionManager's events (itself, or a router in between). */
export type ExecutionEventSource = EventEmitter<ExecutionEvents>;

export const MAIN_THREAD_ID = 1;

export interface ExecutionManagerOptions {
  /** The id its stops and continues carry (a kernel's scripts are threads 2, 3, ...). */
  threadId?: number;
  /** Breakpoints shared with other runtimes of the same debuggee; by default its own. */
  book?: BreakpointBook;
}

/** Exit code of a finished run, as the standalone interpreter reports it. */
export function exitCodeOf(o: RunOutcome): number {
  switch (o.status) {
    case 'ok': return 0;
    case 'exit': return o.code;
    case 'terminated': return 130;
    case 'error': return o.kind === 'load' ? 2 : 1;
  }
}

export class ExecutionManager extends EventEmitter<ExecutionEvents> {
  private runtime: ScriptRuntime | null = null;
  readonly threadId: number;
  readonly book: BreakpointBook;
  private readonly states = new Map<number, Breakpoint>();
  private stopped: StoppedEvent | null = null;
  /** Scopes of the frames stack traces returned, for the stop they belong to (a new stop is a new object). */
  private scopesSeen: { stop: StoppedEvent; byFrame: Map<number, ScopeInfo[]> } | null = null;
  private debugging = false;
  private ended = false;
  program: string | null = null;

  constructor(options: ExecutionManagerOptions = {}) {
    super();
    this.threadId = options.threadId ?? MAIN_THREAD_ID;
    this.book = options.book ?? new BreakpointBook();
  }

  get isStopped(): boolean { return this.stopped !== null; }
  get lastStop(): StoppedEvent | null { return this.stopped; }
  get isRunning(): boolean { return this.runtime?.state === RuntimeState.Running; }
  get hasEnded(): boolean { return this.ended; }

  /** Starts a runtime (persistent session) without running anything yet. */
  async start(options: Partial<RuntimeOptions> & { debug?: boolean; stopOnEntry?: boolean; stdinStream?: Readable } = {}): Promise<ScriptRuntime> {
    if (this.runtime) throw new Error('a runtime is already started');
    const { stdinStream, ...runtimeOptions } = options;
    // `llmspell dap` on stdio may have started one while it loaded (src/cli/prestart.ts).
    const early = stdinStream || runtimeOptions.env ? null : takePrestartedRuntime(runtimeOptions);
    const rt = early ?? new ScriptRuntime(runtimeOptions, stdinStream);
    this.runtime = rt;
    rt.on('output', (stream, data) => this.emit('output', { category: stream, text: Buffer.from(data).toString('utf8') }));
    rt.on('debug', (e) => {
      switch (e.kind) {
        case 'stopped':
          this.stopped = { ...e.stop, threadId: this.threadId };
          this.emit('stopped', this.stopped);
          break;
        case 'continued':
          this.stopped = null;
          this.emit('continued', this.threadId);
          break;
        case 'breakpoint': {
          const bp = { ...this.states.get(e.state.id), ...e.state };
          this.states.set(bp.id, bp);
          this.emit('breakpoint', bp);
          break;
        }
        case 'loadedSource':
          this.emit('loadedSource', e.path);
          break;
        case 'log':
          this.emit('output', { category: 'console', text: e.text, source: e.source, line: e.line });
          break;
      }
    });
    rt.on('exit', () => {
      this.stopped = null;
    });
    await rt.start();
    if (options.debug !== false) await this.enableDebugging(options.stopOnEntry ?? false);
    return rt;
  }

  private async enableDebugging(stopOnEntry: boolean): Promise<void> {
    const rt = this.rt();
    if (!rt.debuggable) throw new Error('debugging is not available with this Lua build');
    await rt.debugRequest('enable', { stopOnEntry });
    this.debugging = true;
    // Everything set before the runtime existed reaches it now.
    await this.syncBreakpoints();
  }

  /** Gives the runtime the book's current breakpoints (another runtime of the book changed them). */
  async syncBreakpoints(sources: string[] = this.book.sources()): Promise<Breakpoint[]> {
    if (!this.live) return [];
    const states: Breakpoint[] = [];
    for (const source of sources) states.push(...await this.pushSource(source));
    states.push(...await this.pushFunctionBreakpoints());
    await this.pushExceptionFilters();
    return states;
  }

  /** This runtime's state of a breakpoint of the book, if it has pushed it. */
  breakpointState(id: number): Breakpoint | undefined {
    return this.states.get(id);
  }

  /** Whether the runtime takes breakpoints now (started, alive, debugging). */
  get acceptsBreakpoints(): boolean {
    return this.live;
  }

  /** Starts the program under the debugger; resolves once it runs (its end is the 'exited' event). */
  async launch(opts: LaunchOptions): Promise<void> {
    const cwd = opts.cwd ?? process.cwd();
    await this.start({ cwd, env: opts.env, stdin: opts.stdin ?? 'none', debug: !opts.noDebug, stopOnEntry: opts.stopOnEntry });
    this.runProgram(path.resolve(cwd, opts.program), opts.args ?? []);
  }

  /** Runs the program on the started runtime; its end is reported as 'exited' and 'terminated'. */
  runProgram(program: string, args: string[] = []): void {
    this.program = program;
    void this.rt().runFile(program, args).then((outcome) => this.finish(outcome));
  }

  /** Runs code in the persistent session (REPL, notebook cell) with the debugger active. */
  runChunk(code: string, name?: string, wantValues = false): Promise<RunOutcome> {
    return this.rt().runChunk(code, name, wantValues);
  }

  runFile(file: string, args: string[] = []): Promise<RunOutcome> {
    return this.rt().runFile(file, args);
  }

  private finish(outcome: RunOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.stopped = null;
    if (outcome.status === 'error') {
      const text = outcome.traceback ? `${outcome.message}\n${outcome.traceback}\n` : `${outcome.message}\n`;
      this.emit('output', { category: 'stderr', text });
    }
    this.emit('exited', exitCodeOf(outcome), outcome);
    this.emit('terminated');
    void this.runtime?.stop();
  }

  private rt(): ScriptRuntime {
    if (!this.runtime || !this.runtime.isAlive) throw new Error('no script is running');
    return this.runtime;
  }

  private get live(): boolean {
    return !!this.runtime && this.runtime.isAlive && this.debugging;
  }

  // ---- breakpoints ----

  async setBreakpoints(source: string, bps: SourceBreakpoint[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    const abs = path.resolve(source);
    const specs = this.book.setSource(abs, owner, bps);
    const states = this.live ? await this.pushSource(abs) : specs.map((s) => ({ id: s.id, verified: false, line: s.line, message: 'pending: the script has not started' }));
    const mine = new Set(specs.map((s) => s.id));
    return states.filter((s) => mine.has(s.id)).map((s) => this.remember({ ...s, source: abs }));
  }

  private async pushSource(source: string): Promise<Breakpoint[]> {
    const states = await this.rt().debugRequest('setBreakpoints', { source, breakpoints: this.book.effective(source) });
    return states.map((s) => this.remember({ ...s, source }));
  }

  private remember(bp: Breakpoint): Breakpoint {
    this.states.set(bp.id, bp);
    return bp;
  }

  /** Every breakpoint with its current state, for listings. */
  breakpointList(): { owner: string; bp: Breakpoint; condition?: string; hitCondition?: string; logMessage?: string }[] {
    return this.book.all().map(({ source, owner, spec }) => ({
      owner, condition: spec.condition, hitCondition: spec.hitCondition, logMessage: spec.logMessage,
      bp: this.states.get(spec.id) ?? { id: spec.id, verified: false, line: spec.line, source },
    }));
  }

  /** Removes a client's breakpoints everywhere (it went away). */
  async removeOwner(owner: string): Promise<void> {
    const sources = this.book.removeOwner(owner);
    await this.syncBreakpoints(sources);
  }

  async setFunctionBreakpoints(bps: { name: string; condition?: string; hitCondition?: string }[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    const specs = this.book.setFunctions(owner, bps);
    if (!this.live) return specs.map((s) => ({ id: s.id, verified: false, message: 'pending: the script has not started' }));
    const states = await this.pushFunctionBreakpoints();
    const mine = new Set(specs.map((s) => s.id));
    return states.filter((s) => mine.has(s.id));
  }

  private async pushFunctionBreakpoints(): Promise<Breakpoint[]> {
    const states = await this.rt().debugRequest('setFunctionBreakpoints', { breakpoints: this.book.functions() });
    return states.map((s) => this.remember(s));
  }

  async setExceptionBreakpoints(filters: ExceptionFilterSpec[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    this.book.setExceptions(owner, filters);
    if (!this.live) return filters.map((_, i) => ({ id: i + 1, verified: true }));
    const states = await this.pushExceptionFilters();
    // The worker sees the union; report this owner's own filters.
    const all = this.book.exceptions();
    return filters.map((f) => states[all.indexOf(f)] ?? { id: 0, verified: true });
  }

  private async pushExceptionFilters(): Promise<BreakpointState[]> {
    return this.rt().debugRequest('setExceptionFilters', { filters: this.book.exceptions() });
  }

  breakpointLocations(source: string, line: number, endLine?: number): Promise<number[]> {
    if (!this.live) return Promise.resolve([]);
    return this.rt().debugRequest('breakpointLocations', { source: path.resolve(source), line, endLine });
  }

  // ---- execution control ----

  private async resume(action: 'continue' | 'in' | 'over' | 'out'): Promise<void> {
    if (!this.stopped) throw new Error('the script is not stopped');
    this.stopped = null;
    await this.rt().debugRequest('resume', { action });
  }

  continue(): Promise<void> { return this.resume('continue'); }
  stepIn(): Promise<void> { return this.resume('in'); }
  stepOver(): Promise<void> { return this.resume('over'); }
  stepOut(): Promise<void> { return this.resume('out'); }

  /** Stops a running script at its next instruction; a 'stopped' event (reason pause) follows. */
  pause(): void {
    if (this.stopped || !this.runtime?.isAlive) return;
    this.runtime.requestPause();
  }

  /** The next chunk or file run stops at its first line (a notebook's %%debug). */
  async stopOnNextRun(): Promise<void> {
    await this.rt().debugRequest('enable', { stopOnEntry: true });
  }

  /** Stops the running chunk with an error, keeping the session (a REPL's Ctrl-C). */
  interrupt(): void {
    this.runtime?.interrupt();
  }

  /** Whether code is complete, needs more lines, or is invalid (REPL continuation, is_complete). */
  checkComplete(code: string): Promise<{ status: Completeness; message?: string }> {
    return this.rt().checkComplete(code);
  }

  /** Ends the script wherever it is (the worker is terminated; nothing in the script can catch it). */
  async terminate(): Promise<void> {
    const rt = this.runtime;
    if (!rt) return;
    await rt.stop();
    this.finish({ status: 'terminated' });
  }

  /** Ends the runtime without reporting an exit (a REPL or kernel shutting down). */
  async dispose(): Promise<void> {
    this.ended = true;
    await this.runtime?.stop();
  }

  // ---- inspection (valid while stopped) ----

  threads(): { id: number; name: string }[] {
    if (!this.runtime?.isAlive) return [];
    return [{ id: this.threadId, name: this.program ? path.basename(this.program) : 'main' }];
  }

  async stackTrace(start = 0, levels = 0): Promise<{ frames: FrameInfo[]; total: number }> {
    const stop = this.stopped;
    const { frames, total } = await this.rt().debugRequest('stackTrace', { start, levels });
    // The runtime sends each frame's scopes along; they are kept for as long as the stop lasts.
    if (stop && stop === this.stopped && this.scopesSeen?.stop !== stop) this.scopesSeen = { stop, byFrame: new Map() };
    return {
      frames: frames.map(({ scopes, ...frame }) => {
        if (scopes && stop && this.scopesSeen?.stop === stop) this.scopesSeen.byFrame.set(frame.id, scopes);
        return frame;
      }),
      total,
    };
  }

  /** Answered here for a frame of the current stop's stack traces, else by the runtime. */
  scopes(frameId: number): Promise<ScopeInfo[]> {
    const seen = this.scopesSeen?.stop === this.stopped ? this.scopesSeen?.byFrame.get(frameId) : undefined;
    return seen ? Promise.resolve(seen) : this.rt().debugRequest('scopes', { frameId });
  }

  variables(ref: number, filter?: 'indexed' | 'named', start?: number, count?: number): Promise<VariableInfo[]> {
    return this.rt().debugRequest('variables', { ref, filter, start, count }).then(unpackVariables);
  }

  evaluate(expression: string, frameId: number | undefined, context: EvaluateContext): Promise<EvaluateResult> {
    return this.rt().debugRequest('evaluate', { expression, frameId, context });
  }

  setVariable(ref: number, name: string, value: string): Promise<EvaluateResult> {
    return this.rt().debugRequest('setVariable', { ref, name, value });
  }

  setExpression(expression: string, value: string, frameId?: number): Promise<EvaluateResult> {
    return this.rt().debugRequest('setExpression', { expression, value, frameId });
  }

  completions(text: string, column: number, frameId?: number): Promise<CompletionItem[]> {
    return this.rt().debugRequest('completions', { text, column, frameId });
  }

  exceptionInfo(): Promise<StopInfo['exception'] | null> {
    return this.rt().debugRequest('exceptionInfo', {});
  }

  loadedSources(): Promise<string[]> {
    if (!this.live) return Promise.resolve([]);
    return this.rt().debugRequest('loadedSources', {});
  }
}
