// Shared breakpoints: set on a kernel from the CLI or the fleet (`llmspell kernel breakpoint`,
// `llmspell fleet debug set-breakpoint`), owned by no client (the ExecutionManager's "shared"
// owner), so they stay when clients come and go and stop the code whoever runs it. Every
// attached client hears of them as DAP `breakpoint` events (new, changed, removed), under ids
// of their own range, and a stop on one names it in `hitBreakpointIds`.
import * as path from 'node:path';
import { SHARED_OWNER, type Breakpoint, type RuntimeThreads, type SourceBreakpoint } from '../debug/index.js';

/** Clients number their own breakpoints from 1; shared ones are told to them from here up. */
export const SHARED_ID_BASE = 1_000_000;

/** The custom DAP request that manages them on dap_port (answered after `attach`, or with `token`). */
export const SHARED_BREAKPOINTS_REQUEST = 'llmspell/sharedBreakpoints';

export interface SharedBreakpointInfo {
  /** The id clients see (SHARED_ID_BASE + the engine's id). */
  id: number;
  source: string;
  /** The line asked for. */
  line: number;
  /** Where it stands: the first line with code at or after `line`, once the file is loaded. */
  boundLine?: number;
  verified: boolean;
  condition?: string;
  message?: string;
}

export type SharedChange = 'new' | 'changed' | 'removed';

export class SharedBreakpoints {
  /** source → the breakpoints asked for there, in the order set. */
  private readonly wanted = new Map<string, SourceBreakpoint[]>();
  /** engine id → source, for the current ones. */
  private readonly current = new Map<number, string>();

  /** `em`: the kernel's runtimes (its session and the scripts it runs), which share one breakpoint book. */
  constructor(private readonly em: RuntimeThreads, private readonly announce: (change: SharedChange, bp: Breakpoint) => void) {
    em.on('breakpoint', (bp) => { if (this.current.has(bp.id)) announce('changed', this.forClients(bp)); });
  }

  /** The id clients know a shared breakpoint by; undefined for any other breakpoint. */
  clientId(engineId: number): number | undefined {
    return this.current.has(engineId) ? SHARED_ID_BASE + engineId : undefined;
  }

  /** Sets (or, on a line that has one, replaces) a shared breakpoint. */
  async set(source: string, line: number, condition?: string): Promise<SharedBreakpointInfo> {
    const file = path.resolve(source);
    const specs = (this.wanted.get(file) ?? []).filter((b) => b.line !== line);
    specs.push({ line, ...(condition ? { condition } : {}) });
    const states = await this.apply(file, specs);
    return this.describe(file, specs.length - 1, states[states.length - 1]);
  }

  /** Clears the shared breakpoint asked for at (or bound to) LINE; false when there is none. */
  async clear(source: string, line: number): Promise<boolean> {
    const file = path.resolve(source);
    const specs = this.wanted.get(file) ?? [];
    const bound = this.list().filter((b) => b.source === file && b.boundLine === line).map((b) => b.line);
    const kept = specs.filter((b) => b.line !== line && !bound.includes(b.line));
    if (kept.length === specs.length) return false;
    await this.apply(file, kept);
    return true;
  }

  list(): SharedBreakpointInfo[] {
    const states = new Map(this.em.breakpointList().filter((b) => b.owner === SHARED_OWNER).map((b) => [b.bp.id, b.bp]));
    const out: SharedBreakpointInfo[] = [];
    for (const [file, specs] of this.wanted) {
      const ids = [...this.current].filter(([, f]) => f === file).map(([id]) => id).sort((a, b) => a - b);
      specs.forEach((_, i) => {
        const st = states.get(ids[i]);
        out.push(this.describe(file, i, st ?? { id: ids[i], verified: false, source: file }));
      });
    }
    return out;
  }

  private describe(file: string, index: number, st: Breakpoint): SharedBreakpointInfo {
    const spec = this.wanted.get(file)![index];
    return {
      id: SHARED_ID_BASE + st.id, source: file, line: spec.line, verified: st.verified,
      ...(st.verified && st.line !== undefined ? { boundLine: st.line } : {}),
      ...(spec.condition ? { condition: spec.condition } : {}),
      ...(st.message ? { message: st.message } : {}),
    };
  }

  /** Replaces the shared set of FILE; clients hear what went and what came. */
  private async apply(file: string, specs: SourceBreakpoint[]): Promise<Breakpoint[]> {
    const before = [...this.current].filter(([, f]) => f === file).map(([id]) => id);
    // Where the old ones stood, so clients are told which one went.
    const was = new Map(this.em.breakpointList().filter((b) => before.includes(b.bp.id)).map((b) => [b.bp.id, b.bp.line]));
    const states = await this.em.setBreakpoints(file, specs, SHARED_OWNER);
    for (const id of before) {
      this.current.delete(id);
      this.announce('removed', { id: SHARED_ID_BASE + id, verified: false, source: file, line: was.get(id) });
    }
    if (specs.length) this.wanted.set(file, specs);
    else this.wanted.delete(file);
    const ordered = [...states].sort((a, b) => a.id - b.id);
    for (const st of ordered) {
      this.current.set(st.id, file);
      this.announce('new', this.forClients(st));
    }
    return ordered;
  }

  private forClients(bp: Breakpoint): Breakpoint {
    return { ...bp, id: SHARED_ID_BASE + bp.id };
  }

  /** Every current shared breakpoint as clients see it (told to a client that attaches). */
  announced(): Breakpoint[] {
    const states = new Map(this.em.breakpointList().map((b) => [b.bp.id, b.bp]));
    return [...this.current].map(([id, source]) => this.forClients(states.get(id) ?? { id, verified: false, source }));
  }
}
