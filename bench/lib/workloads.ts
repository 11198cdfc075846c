// The CPU-heavy Lua scripts in bench/scripts and their sizes (passed as arg[1]).
// Full sizes take roughly 0.4–0.6 s each under native lua5.4 on the reference machine
// (see docs/performance.md); quick sizes about a quarter of that.

export interface Workload {
  /** Script name: bench/scripts/<name>.lua. */
  name: string;
  what: string;
  full: number;
  quick: number;
}

export const workloads: readonly Workload[] = [
  { name: 'calls', what: 'recursive fib(n): function calls and returns', full: 35, quick: 32 },
  { name: 'tables', what: 'fill, iterate and empty array and hash parts (rounds)', full: 60, quick: 15 },
  { name: 'strings', what: 'string.format, .., table.concat, gsub, find (rounds)', full: 80, quick: 20 },
  { name: 'closures', what: 'create and call closures, composed chains (rounds)', full: 300, quick: 75 },
];

export function workloadArgs(w: Workload, quick: boolean): string[] {
  return [String(quick ? w.quick : w.full)];
}

/** A script that does nothing: running it measures start-up alone. */
export const emptyScript = 'empty';
