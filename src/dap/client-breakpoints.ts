// One client's breakpoints as it set them, with the ids it was told. The client may set them
// before a script exists, and a restart starts a new ExecutionManager: both times they are
// (re)applied and the engine's new ids are mapped back to the ones the client already knows,
// so `breakpoint` events and `hitBreakpointIds` always name breakpoints the client has.
// Breakpoints of other owners (another client, `--break-at`) have no id here and are not
// reported to this client.
import type { Breakpoint, RuntimeThreads, SourceBreakpoint } from '../debug/index.js';

/** Where breakpoints go: the debuggee's threads (all of them share one set). */
type BreakpointTarget = Pick<RuntimeThreads, 'setBreakpoints' | 'setFunctionBreakpoints' | 'setExceptionBreakpoints'>;

type FunctionBreakpoint = { name: string; condition?: string; hitCondition?: string };
type ExceptionFilter = { filter: 'uncaught' | 'all'; condition?: string };

export class ClientBreakpoints {
  private nextId = 1;
  /** source → this client's breakpoints there (engine lines), each with its client id */
  private readonly sources = new Map<string, { id: number; spec: SourceBreakpoint }[]>();
  private functions: { id: number; spec: FunctionBreakpoint }[] = [];
  private exceptions: ExceptionFilter[] = [];
  /** engine id → client id, for the current debuggee */
  private readonly engineToClient = new Map<number, number>();

  constructor(private readonly owner: string) {}

  /** The client's id for an engine breakpoint, or undefined when it is not this client's. */
  clientId(engineId: number): number | undefined {
    return this.engineToClient.get(engineId);
  }

  /** Replaces the breakpoints of a source; returns their states (pending without a script). */
  async setSource(em: BreakpointTarget | null, source: string, specs: SourceBreakpoint[]): Promise<Breakpoint[]> {
    const entries = specs.map((spec) => ({ id: this.nextId++, spec }));
    this.sources.set(source, entries);
    if (!em) return entries.map(({ id, spec }) => pending(id, spec.line, source));
    return this.pushSource(em, source, entries);
  }

  async setFunctions(em: BreakpointTarget | null, specs: FunctionBreakpoint[]): Promise<Breakpoint[]> {
    const entries = specs.map((spec) => ({ id: this.nextId++, spec }));
    this.functions = entries;
    if (!em) return entries.map(({ id }) => pending(id));
    return this.pushFunctions(em);
  }

  async setExceptions(em: BreakpointTarget | null, filters: ExceptionFilter[]): Promise<{ verified: boolean; message?: string }[]> {
    this.exceptions = filters;
    if (!em) return filters.map(() => ({ verified: true }));
    return em.setExceptionBreakpoints(filters, this.owner);
  }

  /** Applies everything set so far to a (new) debuggee; returns the source breakpoints' states. */
  async applyTo(em: BreakpointTarget): Promise<Breakpoint[]> {
    this.engineToClient.clear();
    const states: Breakpoint[] = [];
    for (const [source, entries] of this.sources) states.push(...await this.pushSource(em, source, entries));
    if (this.functions.length) states.push(...await this.pushFunctions(em));
    if (this.exceptions.length) await em.setExceptionBreakpoints(this.exceptions, this.owner);
    return states;
  }

  private async pushSource(em: BreakpointTarget, source: string, entries: { id: number; spec: SourceBreakpoint }[]): Promise<Breakpoint[]> {
    const states = await em.setBreakpoints(source, entries.map((e) => e.spec), this.owner);
    return this.mapStates(states, entries);
  }

  private async pushFunctions(em: BreakpointTarget): Promise<Breakpoint[]> {
    const states = await em.setFunctionBreakpoints(this.functions.map((f) => f.spec), this.owner);
    return this.mapStates(states, this.functions);
  }

  /** The engine numbers a request's breakpoints in order: pair its states with our entries. */
  private mapStates(states: Breakpoint[], entries: { id: number }[]): Breakpoint[] {
    const inOrder = [...states].sort((a, b) => a.id - b.id);
    if (inOrder.length !== entries.length) throw new Error(`the debugger answered ${inOrder.length} breakpoint states for ${entries.length} breakpoints`);
    return inOrder.map((st, i) => {
      this.engineToClient.set(st.id, entries[i].id);
      return { ...st, id: entries[i].id };
    });
  }
}

function pending(id: number, line?: number, source?: string): Breakpoint {
  return { id, verified: false, line, source, message: 'pending: the script has not started' };
}
