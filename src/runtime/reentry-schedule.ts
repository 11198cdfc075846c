// While a chunk runs, its worker is asked now and then to re-enter Lua's interpreter loop, so
// that a long script moves to V8's optimised code once that exists (worker/lua/top-level-calls.ts).
// The optimised code needs the loop to have run hot (some 20 ms) and then a compile in the
// background: about 45 ms on an idle core, longer while the process is still loading, so when it
// is ready varies. Every 50 ms for the first second keeps the time spent in baseline code after
// it is ready short (each request costs the worker some 0.1 ms); after that the requests back off,
// for code that only gets hot later: a script that runs for minutes is asked 25 times in all.
// A request that finds the script stopped in the debugger does nothing, so the schedule starts
// over each time a stopped script goes on.
const EARLY_INTERVAL_MS = 50;
const EARLY_REQUESTS = 20;
const LATER_INTERVALS_MS = [1000, 2000, 4000, 8000, 16000];

export interface ReentrySchedule {
  /** Starts over from the early requests (the script runs again after a stop). */
  restart(): void;
  stop(): void;
}

/** Calls `ask` on the schedule above until stopped. */
export function scheduleReentry(ask: () => void): ReentrySchedule {
  let intervals: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  const next = (): void => {
    const wait = intervals.shift();
    if (wait === undefined) { timer = null; return; }
    timer = setTimeout(() => { ask(); next(); }, wait);
    timer.unref(); // never what keeps a process alive
  };
  const stop = (): void => { intervals = []; if (timer) clearTimeout(timer); timer = null; };
  const restart = (): void => {
    stop();
    intervals = [...Array<number>(EARLY_REQUESTS).fill(EARLY_INTERVAL_MS), ...LATER_INTERVALS_MS];
    next();
  };
  restart();
  return { restart, stop };
}
