// The contract between the runner and each benchmark case.
import type { Figure } from './figures.js';
import type { LuaInfo } from './machine.js';

export interface BenchContext {
  quick: boolean;
  runs: number;
  warmup: number;
  /** The native Lua to compare with, or null when it is not installed. */
  lua: LuaInfo | null;
  /** Progress for the person waiting (goes to stderr, not into the table). */
  progress(message: string): void;
}

export interface CaseResult {
  figures: Figure[];
  /** Anything the reader should know: skipped comparisons, caveats. */
  notes: string[];
}

export interface BenchCase {
  /** Short id, used by --case and in the table. */
  name: string;
  /** One line on what the case measures. */
  title: string;
  run(ctx: BenchContext): Promise<CaseResult>;
}
