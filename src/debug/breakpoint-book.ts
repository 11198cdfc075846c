// Every breakpoint of one debuggee, by owner: source breakpoints, function breakpoints and
// exception filters. A kernel's runtimes (its interactive session and each script it runs)
// share one book, so a breakpoint has one id wherever it binds and every runtime stops on the
// same set; each ExecutionManager pushes the book's union to its own worker.
import type { ExceptionFilterSpec, FunctionBreakpointSpec, SourceBreakpointSpec } from '../runtime/index.js';
import { BreakpointStore, type SourceBreakpoint } from './breakpoint-store.js';

export type FunctionBreakpoint = { name: string; condition?: string; hitCondition?: string };

export class BreakpointBook {
  private readonly sourceStore = new BreakpointStore();
  private readonly functionBps = new Map<string, FunctionBreakpointSpec[]>();
  private readonly exceptionFilters = new Map<string, ExceptionFilterSpec[]>();
  /** Function breakpoints are numbered apart from source ones (the store counts from 1). */
  private nextFunctionId = 100_000;

  /** Replaces owner's breakpoints in source; returns them with their new ids. */
  setSource(source: string, owner: string, bps: SourceBreakpoint[]): SourceBreakpointSpec[] {
    return this.sourceStore.set(source, owner, bps);
  }

  /** The union of every owner's breakpoints in source. */
  effective(source: string): SourceBreakpointSpec[] {
    return this.sourceStore.effective(source);
  }

  sources(): string[] {
    return this.sourceStore.sources();
  }

  setFunctions(owner: string, bps: FunctionBreakpoint[]): FunctionBreakpointSpec[] {
    const specs = bps.map((b) => ({ ...b, id: this.nextFunctionId++ }));
    this.functionBps.set(owner, specs);
    return specs;
  }

  functions(): FunctionBreakpointSpec[] {
    return [...this.functionBps.values()].flat();
  }

  setExceptions(owner: string, filters: ExceptionFilterSpec[]): void {
    this.exceptionFilters.set(owner, filters);
  }

  exceptions(): ExceptionFilterSpec[] {
    return [...this.exceptionFilters.values()].flat();
  }

  /** Forgets an owner everywhere; returns the sources whose set changed. */
  removeOwner(owner: string): string[] {
    this.functionBps.delete(owner);
    this.exceptionFilters.delete(owner);
    return this.sourceStore.removeOwner(owner);
  }

  /** Source breakpoints of all owners, for listings. */
  all(): { source: string; owner: string; spec: SourceBreakpointSpec }[] {
    return this.sourceStore.all();
  }
}
