// Breakpoints as clients set them: each owner (a client, or "shared" for the CLI and fleet)
// replaces its own set per source; the effective set of a source is the union of all owners'.
import type { SourceBreakpointSpec } from '../runtime/index.js';

export interface SourceBreakpoint {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export const SHARED_OWNER = 'shared';

export class BreakpointStore {
  private nextId = 1;
  /** source → owner → breakpoints with their ids */
  private readonly bySource = new Map<string, Map<string, SourceBreakpointSpec[]>>();

  /** Replaces owner's breakpoints in source; returns the specs with their new ids. */
  set(source: string, owner: string, bps: SourceBreakpoint[]): SourceBreakpointSpec[] {
    const owners = this.bySource.get(source) ?? new Map<string, SourceBreakpointSpec[]>();
    const specs = bps.map((b) => ({ ...b, id: this.nextId++ }));
    owners.set(owner, specs);
    this.bySource.set(source, owners);
    return specs;
  }

  /** Everything set for source, by every owner. */
  effective(source: string): SourceBreakpointSpec[] {
    return [...(this.bySource.get(source)?.values() ?? [])].flat();
  }

  sources(): string[] {
    return [...this.bySource.keys()];
  }

  /** Forgets an owner (a client that went away); returns the sources that changed. */
  removeOwner(owner: string): string[] {
    const changed: string[] = [];
    for (const [source, owners] of this.bySource) if (owners.delete(owner)) changed.push(source);
    return changed;
  }

  /** Breakpoints of all owners, for listings (`.breaks`, status dumps). */
  all(): { source: string; owner: string; spec: SourceBreakpointSpec }[] {
    const out: { source: string; owner: string; spec: SourceBreakpointSpec }[] = [];
    for (const [source, owners] of this.bySource) for (const [owner, specs] of owners) for (const spec of specs) out.push({ source, owner, spec });
    return out;
  }
}
