// A kernel's debugger as the terminal debugger's Debuggee: the same calls as a local
// ExecutionManager, made as DAP requests on the kernel's dap_port, and the kernel's DAP events
// turned back into ExecutionManager events. The terminal debugger attached to a kernel is one
// of its DAP clients like any editor: its breakpoints are its own (the kernel keeps the union),
// and it sees the stops of whatever code the kernel runs, whoever sent it.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { EventEmitter } from 'node:events';
import { DapClient } from '../dap/index.js';
import type { Breakpoint, ExecutionEvents, OutputEvent, SourceBreakpoint, StoppedEvent } from '../debug/index.js';
import type { KernelDapAddress } from '../kernel/kernel-lookup.js';
import { TERMINAL_CLIENT } from '../kernel/message-router.js';
import type { CompletionItem, EvaluateContext, EvaluateResult, FrameInfo, ScopeInfo, StopReason, VariableInfo } from '../runtime/index.js';
import type { Debuggee } from './debuggee.js';

const THREAD = 1;

/** The kernel could not be reached or refused this debugger: the user's to fix, said in one line. */
export class KernelAttachError extends Error {}

/** A shared breakpoint (set from the CLI or fleet) as the kernel announced it. */
export interface SharedBreakpointNote {
  reason: 'new' | 'changed' | 'removed';
  breakpoint: P.Breakpoint;
}

export class RemoteDebuggee extends EventEmitter<ExecutionEvents> implements Debuggee {
  /** What only a kernel says: shared breakpoints changed; the connection is gone (and why). */
  readonly notes = new EventEmitter<{ shared: [SharedBreakpointNote]; gone: [why: string] }>();
  private client: DapClient | null = null;
  private stopped: StoppedEvent | null = null;
  /** This client's breakpoints by id, as the kernel last described them. */
  private readonly states = new Map<number, Breakpoint>();
  private readonly mine = new Set<number>();
  private ended = false;

  /** Runs the kernel's Jupyter interrupt (what Ctrl-C means when the console interrupts). */
  constructor(private readonly interruptKernel: () => void) {
    super();
  }

  /** Connects, authenticates with the kernel's key and attaches; a stop in progress is announced at once. */
  async connect(a: KernelDapAddress): Promise<void> {
    const client = await DapClient.connect(a.host, a.port).catch((e: Error) => {
      throw new KernelAttachError(`cannot reach kernel ${a.kernelId}'s debugger at ${a.host}:${a.port}: ${e.message}`);
    });
    this.client = client;
    client.on('event', (e) => this.onEvent(e));
    client.on('close', () => this.end('the kernel closed the debugger connection'));
    try {
      await client.request('initialize', { clientID: 'llmspell-terminal', adapterID: 'llmspell', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      await client.request('attach', { token: a.key, proxiedBy: TERMINAL_CLIENT });
      await client.request('configurationDone');
    } catch (e) {
      throw new KernelAttachError(`kernel ${a.kernelId} refused the debugger: ${(e as Error).message}`);
    }
  }

  /** Leaves the kernel: its breakpoints go, and a script it alone kept stopped goes on. */
  async disconnect(): Promise<void> {
    const c = this.client;
    if (!c || c.isClosed) return;
    this.ended = true;
    await c.request('disconnect', { terminateDebuggee: false }).catch(() => undefined);
    c.close();
  }

  get isStopped(): boolean { return this.stopped !== null; }
  /** The kernel does not say whether code runs between stops; as far as a console knows, it may. */
  get isRunning(): boolean { return this.stopped === null && !this.ended; }
  get lastStop(): StoppedEvent | null { return this.stopped; }

  private dap<T>(command: string, args?: unknown): Promise<T> {
    if (!this.client) return Promise.reject(new Error('not connected to the kernel'));
    return this.client.request<T>(command, args);
  }

  private onEvent(e: P.Event): void {
    const body = (e.body ?? {}) as Record<string, unknown>;
    switch (e.event) {
      case 'stopped': {
        const b = body as unknown as P.StoppedEvent['body'];
        this.stopped = {
          threadId: b.threadId ?? THREAD, reason: b.reason as StopReason, description: b.description ?? b.reason,
          hitBreakpointIds: b.hitBreakpointIds ?? [],
        };
        this.emit('stopped', this.stopped);
        break;
      }
      case 'continued': {
        // A kernel's scripts are threads of their own: only the stopped thread's resume (or all) counts.
        const threadId = (body.threadId as number | undefined) ?? THREAD;
        if (this.stopped && threadId !== this.stopped.threadId && body.allThreadsContinued !== true) break;
        this.stopped = null;
        this.emit('continued', threadId);
        break;
      }
      case 'output': {
        const category = body.category === 'stderr' ? 'stderr' : body.category === 'console' ? 'console' : 'stdout';
        this.emit('output', { category, text: String(body.output ?? '') } satisfies OutputEvent);
        break;
      }
      case 'breakpoint': {
        const note = body as unknown as SharedBreakpointNote;
        const id = note.breakpoint?.id;
        if (id !== undefined && this.mine.has(id)) {
          const bp = this.toBreakpoint(note.breakpoint);
          this.states.set(id, bp);
          this.emit('breakpoint', bp);
        } else if (note.breakpoint) this.notes.emit('shared', note);
        break;
      }
      case 'loadedSource': {
        const p = (body.source as P.Source | undefined)?.path;
        if (p) this.emit('loadedSource', p);
        break;
      }
      case 'terminated':
        this.end('the kernel is shutting down');
        break;
      default:
        break;
    }
  }

  private end(why: string): void {
    this.stopped = null;
    if (this.ended) return;
    this.ended = true;
    this.notes.emit('gone', why);
    this.emit('terminated');
  }

  private toBreakpoint(b: P.Breakpoint): Breakpoint {
    return { id: b.id ?? 0, verified: b.verified, line: b.line, message: b.message, source: b.source?.path };
  }

  // ---- breakpoints ----

  async setBreakpoints(source: string, bps: SourceBreakpoint[]): Promise<Breakpoint[]> {
    const r = await this.dap<P.SetBreakpointsResponse['body']>('setBreakpoints', { source: { path: source }, breakpoints: bps });
    for (const [id, st] of this.states) if (st.source === source) { this.states.delete(id); this.mine.delete(id); }
    return r.breakpoints.map((b) => {
      const bp = { ...this.toBreakpoint(b), source };
      this.states.set(bp.id, bp);
      this.mine.add(bp.id);
      return bp;
    });
  }

  breakpointList(): { owner: string; bp: Breakpoint }[] {
    return [...this.states.values()].map((bp) => ({ owner: 'terminal', bp }));
  }

  /** Files the kernel has loaded so far (so `.break name.lua` finds them). */
  async loadedSources(): Promise<string[]> {
    const r = await this.dap<P.LoadedSourcesResponse['body']>('loadedSources', {});
    return r.sources.map((s) => s.path).filter((p): p is string => !!p);
  }

  // ---- execution ----

  private async resume(command: 'continue' | 'stepIn' | 'next' | 'stepOut'): Promise<void> {
    if (!this.stopped) throw new Error('the script is not stopped');
    const threadId = this.stopped.threadId;
    // Cleared first: the next stop may arrive with the response, before this call returns.
    this.stopped = null;
    await this.dap(command, { threadId });
  }

  continue(): Promise<void> { return this.resume('continue'); }
  stepIn(): Promise<void> { return this.resume('stepIn'); }
  stepOver(): Promise<void> { return this.resume('next'); }
  stepOut(): Promise<void> { return this.resume('stepOut'); }

  pause(): void {
    if (this.stopped) return;
    void this.dap('pause', { threadId: THREAD }).catch(() => undefined);
  }

  interrupt(): void {
    this.interruptKernel();
  }

  // ---- inspection ----

  async stackTrace(start = 0, levels = 0): Promise<{ frames: FrameInfo[]; total: number }> {
    const r = await this.dap<P.StackTraceResponse['body']>('stackTrace', { threadId: this.stopped?.threadId ?? THREAD, startFrame: start, levels });
    const frames = r.stackFrames.map((f): FrameInfo => ({
      id: f.id, name: f.name, line: f.line,
      ...(f.source?.path ? { source: f.source.path } : f.source?.name ? { origin: f.source.name } : {}),
      kind: f.presentationHint === 'label' ? 'boundary' : f.presentationHint === 'subtle' ? 'native' : 'script',
    }));
    return { frames, total: r.totalFrames ?? frames.length };
  }

  async scopes(frameId: number): Promise<ScopeInfo[]> {
    const r = await this.dap<P.ScopesResponse['body']>('scopes', { frameId });
    return r.scopes.map((s) => ({ name: s.name as ScopeInfo['name'], ref: s.variablesReference, named: s.namedVariables, expensive: s.expensive }));
  }

  async variables(ref: number, filter?: 'indexed' | 'named', start?: number, count?: number): Promise<VariableInfo[]> {
    const r = await this.dap<P.VariablesResponse['body']>('variables', { variablesReference: ref, filter, start, count });
    return r.variables.map((v) => ({ name: v.name, value: v.value, type: v.type ?? '', ref: v.variablesReference, indexed: v.indexedVariables, named: v.namedVariables }));
  }

  async evaluate(expression: string, frameId: number | undefined, context: EvaluateContext): Promise<EvaluateResult> {
    const r = await this.dap<P.EvaluateResponse['body']>('evaluate', { expression, frameId, context });
    return { value: r.result, type: r.type ?? '', ref: r.variablesReference, indexed: r.indexedVariables, named: r.namedVariables };
  }

  async completions(text: string, column: number, frameId?: number): Promise<CompletionItem[]> {
    const r = await this.dap<P.CompletionsResponse['body']>('completions', { text, column, frameId });
    return r.targets.map((t) => ({ label: t.label, type: (t.type ?? 'variable') as CompletionItem['type'] }));
  }
}
