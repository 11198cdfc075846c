// Runs commands in interleaved rounds (A, B, A, B, ...) so that drift in the machine's speed
// (other load, CPU frequency, caches) falls on all of them alike.
import type { Command } from './commands.js';
import { timeProcess } from './process-timer.js';

export interface Samples {
  command: Command;
  /** Wall time of each timed run, in ms. */
  ms: number[];
  /** Standard output of the first run, to check that the commands computed the same thing. */
  stdout: string;
}

export async function interleave(
  commands: readonly Command[],
  rounds: { runs: number; warmup: number },
  progress: (round: number, of: number) => void,
): Promise<Samples[]> {
  const results: Samples[] = commands.map((command) => ({ command, ms: [], stdout: '' }));
  const total = rounds.warmup + rounds.runs;
  for (let round = 0; round < total; round++) {
    progress(round + 1, total);
    for (const r of results) {
      const run = await timeProcess(r.command);
      if (round === 0) r.stdout = run.stdout;
      if (round >= rounds.warmup) r.ms.push(run.ms);
    }
  }
  return results;
}
