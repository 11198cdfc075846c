// While a chunk runs, its worker is asked now and then to re-enter Lua's interpreter loop, so
// that a long script moves to V8's optimised code once that exists (worker/lua/top-level-calls.ts).
// The optimised code needs the loop to have run hot (some 20 ms) and then a compile in the
// background (about 45 ms here, longer on a busy machine): the first request comes at 100 ms and
// later ones back off, so a script that runs for minutes is asked eight times in all.
const DELAYS_MS = [100, 200, 400, 800, 1600, 3200, 6400, 12800];

/** Calls `ask` at the delays above until the returned function is called. */
export function scheduleReentry(ask: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let step = 0;
  const next = (): void => {
    if (step >= DELAYS_MS.length) { timer = null; return; }
    const wait = DELAYS_MS[step]! - (step > 0 ? DELAYS_MS[step - 1]! : 0);
    step++;
    timer = setTimeout(() => { ask(); next(); }, wait);
    timer.unref(); // never what keeps a process alive
  };
  next();
  return () => { if (timer) clearTimeout(timer); timer = null; step = DELAYS_MS.length; };
}
