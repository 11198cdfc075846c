// Reads the "elapsed <wall s> <cpu s>" line that the timed scripts (debug-timed.lua,
// debug-hot-line.lua) print around their hot section; cpu is -1 where the worker thread's CPU
// time cannot be read. The rest of the output is the checksum every variant must agree on.

export interface TimedSection {
  /** cpuMs where available, else wallMs: the figure the cases use. */
  hotMs: number;
  /** os.clock() in the script (under wasmoon, wall time in the worker), ms. */
  wallMs: number;
  /** The worker thread's CPU time (/proc/thread-self/schedstat), ms. */
  cpuMs?: number;
  /** The output without the "elapsed" line. */
  rest: string;
}

export function parseElapsed(stdout: string, what: string): TimedSection {
  const m = /^elapsed ([0-9.]+) (-1|[0-9.]+)$/m.exec(stdout);
  if (!m) throw new Error(`${what} printed no "elapsed" line: ${JSON.stringify(stdout.slice(-300))}`);
  const wallMs = Number(m[1]) * 1000;
  const cpuMs = m[2] === '-1' ? undefined : Number(m[2]) * 1000;
  const section: TimedSection = { hotMs: cpuMs ?? wallMs, wallMs, rest: stdout.replace(/^elapsed .*\n/m, '') };
  if (cpuMs !== undefined) section.cpuMs = cpuMs;
  return section;
}
