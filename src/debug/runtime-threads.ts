// The runtimes of one debuggee, each a thread with its own id: a launched script is thread 1
// alone; a kernel has its interactive session as thread 1 and a thread per script it runs
// (`llmspell kernel run`). Each thread stops, steps and resumes on its own: a stop in one
// leaves the others running. Breakpoints are the debuggee's (one BreakpointBook, pushed to
// every runtime); frame ids and variable references name one thread's object each
// (ThreadScopedIds). It knows no protocol: front ends route requests here by thread id, frame
// id or variable reference.
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { CompletionItem, EvaluateContext, EvaluateResult, ExceptionFilterSpec, FrameInfo, ScopeInfo, StopInfo, VariableInfo } from '../runtime/index.js';
import type { BreakpointBook, FunctionBreakpoint } from './breakpoint-book.js';
import { SHARED_OWNER, type SourceBreakpoint } from './breakpoint-store.js';
import { MAIN_THREAD_ID, type Breakpoint, type ExecutionEvents, type ExecutionManager } from './execution-manager.js';
import { ThreadScopedIds } from './thread-scoped-ids.js';

export interface ThreadChange {
  reason: 'started' | 'exited';
  threadId: number;
  name: string;
  /** How a script thread ended, as `llmspell run` would exit. */
  exitCode?: number;
}

export interface ThreadEvents extends ExecutionEvents {
  /** A script thread started or ended (the main thread's start and end are its launch and exit). */
  thread: [ThreadChange];
}

/** A request that needs its thread stopped found it running. */
export class ThreadNotStopped extends Error {}

export type ResumeAction = 'continue' | 'in' | 'over' | 'out';

interface Member {
  em: ExecutionManager;
  name: string;
  detach: () => void;
}

const FORWARDED = ['stopped', 'continued', 'output', 'breakpoint', 'loadedSource', 'exited', 'terminated'] as const;

export class RuntimeThreads extends EventEmitter<ThreadEvents> {
  private readonly scripts = new Map<number, Member>();
  private nextThreadId = MAIN_THREAD_ID + 1;
  readonly frames = new ThreadScopedIds('frame');
  readonly refs = new ThreadScopedIds('variable reference');

  constructor(readonly main: ExecutionManager) {
    super();
    // The main thread's events pass through as they are: a single-runtime debuggee is unchanged.
    for (const name of FORWARDED) main.on(name, ((...args: unknown[]) => (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args)) as never);
  }

  /** The breakpoints every runtime of this debuggee shares. */
  get book(): BreakpointBook {
    return this.main.book;
  }

  /** An id for a script about to start (its ExecutionManager is made with it). */
  newThreadId(): number {
    return this.nextThreadId++;
  }

  /** A started script runtime joins as a thread; it leaves when its script ends. */
  add(em: ExecutionManager, name: string): void {
    const id = em.threadId;
    if (id === MAIN_THREAD_ID || this.scripts.has(id)) throw new Error(`thread ${id} exists already`);
    if (em.book !== this.book) throw new Error('a thread must share the debuggee\'s breakpoints');
    const listeners: [string, (...a: never[]) => void][] = [
      ['stopped', (s) => this.emit('stopped', s)],
      ['continued', (threadId: number) => { this.forgetIds(threadId); this.emit('continued', threadId); }],
      ['output', (o) => this.emit('output', { ...(o as object), threadId: id } as ThreadEvents['output'][0])],
      ['breakpoint', (b) => this.emit('breakpoint', b)],
      ['loadedSource', (p) => this.emit('loadedSource', p)],
      ['exited', (code: number) => this.remove(id, code)],
    ];
    for (const [n, fn] of listeners) em.on(n as never, fn as never);
    const detach = (): void => { for (const [n, fn] of listeners) em.off(n as never, fn as never); };
    this.scripts.set(id, { em, name, detach });
    this.emit('thread', { reason: 'started', threadId: id, name });
  }

  private remove(id: number, exitCode: number): void {
    const m = this.scripts.get(id);
    if (!m) return;
    this.scripts.delete(id);
    m.detach();
    this.forgetIds(id);
    this.emit('thread', { reason: 'exited', threadId: id, name: m.name, exitCode });
  }

  private forgetIds(threadId: number): void {
    this.frames.forget(threadId);
    this.refs.forget(threadId);
  }

  /** Threads that run now: the main one while its runtime lives, then each script. */
  threads(): { id: number; name: string }[] {
    const main = this.main.hasEnded ? [] : this.main.threads();
    return [...main, ...[...this.scripts].map(([id, m]) => ({ id, name: m.name }))];
  }

  /** The script threads (not the main one). */
  scriptThreads(): { id: number; name: string; em: ExecutionManager }[] {
    return [...this.scripts].map(([id, m]) => ({ id, name: m.name, em: m.em }));
  }

  get count(): number {
    return this.threads().length;
  }

  /** The runtime of a thread; the main one when no id is given. */
  thread(threadId: number = MAIN_THREAD_ID): ExecutionManager {
    if (threadId === MAIN_THREAD_ID) return this.main;
    const m = this.scripts.get(threadId);
    if (!m) throw new Error(`there is no thread ${threadId} (threads: ${this.threads().map((t) => t.id).join(', ') || 'none'})`);
    return m.em;
  }

  private runtimes(): ExecutionManager[] {
    return [this.main, ...[...this.scripts.values()].map((m) => m.em)];
  }

  stoppedThreads(): ExecutionManager[] {
    return this.runtimes().filter((em) => em.isStopped);
  }

  /** Whether some thread is stopped. */
  get anyStopped(): boolean {
    return this.stoppedThreads().length > 0;
  }

  // ---- breakpoints: set once in the book, pushed to every runtime ----

  async setBreakpoints(source: string, bps: SourceBreakpoint[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    const states = await this.main.setBreakpoints(source, bps, owner);
    return this.spread(states, [path.resolve(source)]);
  }

  async setFunctionBreakpoints(bps: FunctionBreakpoint[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    const states = await this.main.setFunctionBreakpoints(bps, owner);
    return this.spread(states, []);
  }

  async setExceptionBreakpoints(filters: ExceptionFilterSpec[], owner = SHARED_OWNER): Promise<Breakpoint[]> {
    const states = await this.main.setExceptionBreakpoints(filters, owner);
    await this.spread([], []);
    return states;
  }

  async removeOwner(owner: string): Promise<void> {
    await this.main.removeOwner(owner);
    await this.spread([], this.book.sources());
  }

  /**
   * Pushes the book to every script runtime; a breakpoint the main runtime could not bind
   * (it has not loaded the file) reports the state of a script that did.
   */
  private async spread(states: Breakpoint[], sources: string[]): Promise<Breakpoint[]> {
    const scripts = [...this.scripts.values()].map((m) => m.em).filter((em) => em.acceptsBreakpoints);
    for (const em of scripts) await em.syncBreakpoints(sources).catch(() => undefined); // a script that just ended
    return states.map((st) => (st.verified ? st : scripts.map((em) => em.breakpointState(st.id)).find((x) => x?.verified) ?? st));
  }

  async breakpointLocations(source: string, line: number, endLine?: number): Promise<number[]> {
    for (const em of this.runtimes()) {
      const lines = await em.breakpointLocations(source, line, endLine).catch(() => []);
      if (lines.length) return lines;
    }
    return [];
  }

  breakpointList(): ReturnType<ExecutionManager['breakpointList']> {
    const scripts = [...this.scripts.values()].map((m) => m.em);
    return this.main.breakpointList().map((b) => (b.bp.verified ? b : { ...b, bp: scripts.map((em) => em.breakpointState(b.bp.id)).find((x) => x?.verified) ?? b.bp }));
  }

  async loadedSources(): Promise<string[]> {
    const all = await Promise.all(this.runtimes().map((em) => em.loadedSources().catch(() => [] as string[])));
    return [...new Set(all.flat())];
  }

  // ---- execution control ----

  /**
   * Resumes a stopped thread (continue or a step). Unless `singleThread`, every other stopped
   * thread continues too, as DAP's continue and step requests mean. Says whether no thread is
   * left stopped (DAP's allThreadsContinued).
   */
  async resume(threadId: number, action: ResumeAction, singleThread: boolean): Promise<boolean> {
    const target = this.thread(threadId);
    const others = this.stoppedThreads().filter((em) => em !== target);
    if (!target.isStopped && (singleThread || action !== 'continue' || others.length === 0)) throw new ThreadNotStopped(`thread ${threadId} is not stopped`);
    if (target.isStopped) await resumeOne(target, action);
    if (singleThread) return others.length === 0;
    for (const em of others) if (em.isStopped) await em.continue().catch(() => undefined);
    return true;
  }

  pause(threadId: number = MAIN_THREAD_ID): void {
    this.thread(threadId).pause();
  }

  // ---- inspection, by the ids handed out ----

  private stoppedRuntime(threadId: number): ExecutionManager {
    const em = this.thread(threadId);
    if (!em.isStopped) throw new ThreadNotStopped(threadId === MAIN_THREAD_ID && this.scripts.size === 0 ? 'the script is not stopped' : `thread ${threadId} is not stopped`);
    return em;
  }

  /** The thread an optional frame id means: its own, else the first stopped thread (main first). */
  private frameThread(frameId: number | undefined): { em: ExecutionManager; threadId: number; local: number | undefined } {
    if (frameId !== undefined) {
      const { threadId, local } = this.frames.toLocal(frameId);
      return { em: this.stoppedRuntime(threadId), threadId, local };
    }
    const em = this.stoppedThreads()[0] ?? this.main;
    return { em: this.stoppedRuntime(em.threadId), threadId: em.threadId, local: undefined };
  }

  async stackTrace(threadId: number, start = 0, levels = 0): Promise<{ frames: FrameInfo[]; total: number }> {
    const r = await this.stoppedRuntime(threadId).stackTrace(start, levels);
    return { total: r.total, frames: r.frames.map((f) => ({ ...f, id: this.frames.toGlobal(threadId, f.id) })) };
  }

  async scopes(frameId: number): Promise<ScopeInfo[]> {
    const { em, threadId, local } = this.frameThread(frameId);
    return (await em.scopes(local!)).map((s) => ({ ...s, ref: this.refs.toGlobal(threadId, s.ref) }));
  }

  async variables(ref: number, filter?: 'indexed' | 'named', start?: number, count?: number): Promise<VariableInfo[]> {
    const { threadId, local } = this.refs.toLocal(ref);
    const list = await this.stoppedRuntime(threadId).variables(local, filter, start, count);
    return list.map((v) => ({ ...v, ref: this.refs.toGlobal(threadId, v.ref) }));
  }

  async evaluate(expression: string, frameId: number | undefined, context: EvaluateContext): Promise<EvaluateResult> {
    const { em, threadId, local } = this.frameThread(frameId);
    return this.scoped(threadId, await em.evaluate(expression, local, context));
  }

  async setVariable(ref: number, name: string, value: string): Promise<EvaluateResult> {
    const { threadId, local } = this.refs.toLocal(ref);
    return this.scoped(threadId, await this.stoppedRuntime(threadId).setVariable(local, name, value));
  }

  async setExpression(expression: string, value: string, frameId?: number): Promise<EvaluateResult> {
    const { em, threadId, local } = this.frameThread(frameId);
    return this.scoped(threadId, await em.setExpression(expression, value, local));
  }

  async completions(text: string, column: number, frameId?: number): Promise<CompletionItem[]> {
    const { em, local } = this.frameThread(frameId);
    return em.completions(text, column, local);
  }

  async exceptionInfo(threadId: number): Promise<StopInfo['exception'] | null> {
    return this.stoppedRuntime(threadId).exceptionInfo();
  }

  private scoped(threadId: number, r: EvaluateResult): EvaluateResult {
    return { ...r, ref: this.refs.toGlobal(threadId, r.ref) };
  }
}

function resumeOne(em: ExecutionManager, action: ResumeAction): Promise<void> {
  switch (action) {
    case 'continue': return em.continue();
    case 'in': return em.stepIn();
    case 'over': return em.stepOver();
    case 'out': return em.stepOut();
  }
}
