// The breakpoints of one terminal session, numbered for the user. The numbers 1, 2, 3 … stay
// the same, while the engine, which replaces a file's whole set on every change, gives new ids.
import type { Debuggee } from './debuggee.js';

interface Entry {
  n: number;
  file: string;
  /** The line asked for (the engine may move it to the next line with code). */
  line: number;
  condition?: string;
  engineId: number;
}

/** A breakpoint as `.breaks` shows it: where it is now and whether it is bound. */
export interface BreakpointView {
  n: number;
  file: string;
  line: number;
  condition?: string;
  verified: boolean;
  message?: string;
}

export class NumberedBreakpoints {
  private readonly entries: Entry[] = [];
  private next = 1;

  constructor(private readonly em: Debuggee) {}

  async add(file: string, line: number, condition: string | undefined): Promise<BreakpointView> {
    const entry: Entry = { n: this.next++, file, line, condition, engineId: 0 };
    this.entries.push(entry);
    await this.push(file);
    return this.view(entry);
  }

  /** False when there is no breakpoint N. */
  async remove(n: number): Promise<boolean> {
    const i = this.entries.findIndex((e) => e.n === n);
    if (i < 0) return false;
    const [gone] = this.entries.splice(i, 1);
    await this.push(gone.file);
    return true;
  }

  async clear(): Promise<void> {
    const files = new Set(this.entries.map((e) => e.file));
    this.entries.length = 0;
    for (const f of files) await this.em.setBreakpoints(f, []);
  }

  list(): BreakpointView[] {
    return this.entries.map((e) => this.view(e));
  }

  /** The user's numbers of the engine's breakpoint ids (a stop's hitBreakpointIds). */
  numbersOf(engineIds: number[]): number[] {
    return this.entries.filter((e) => engineIds.includes(e.engineId)).map((e) => e.n);
  }

  /** Sends a file's breakpoints to the engine; it answers with their states, in order. */
  private async push(file: string): Promise<void> {
    const mine = this.entries.filter((e) => e.file === file);
    const states = await this.em.setBreakpoints(file, mine.map((e) => ({ line: e.line, condition: e.condition })));
    mine.forEach((e, i) => { e.engineId = states[i]?.id ?? 0; });
  }

  /** The engine's current state (kept up to date by its events: bound once a file loads, moved). */
  private view(e: Entry): BreakpointView {
    const st = this.em.breakpointList().find((x) => x.bp.id === e.engineId)?.bp;
    return { n: e.n, file: e.file, line: st?.line ?? e.line, condition: e.condition, verified: st?.verified ?? false, message: st?.message };
  }
}
