// Case 9: start-up. Whole-process wall time of `llmspell run` on an empty script, and the time
// from spawning `llmspell dap` (stdio) to the `stopped` event of a launch with stopOnEntry; with
// `node -e ""` for the floor that every Node program pays. Interleaved rounds, medians.
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { interleaveRuns } from './case-debugger-launch.js';
import { llmspellRun } from './commands.js';
import { timeToFirstStop } from './dap-process.js';
import { measurement, type Figure } from './figures.js';
import { scriptPath } from './paths.js';
import { timeProcess } from './process-timer.js';
import { emptyScript } from './workloads.js';

/** Start-up target: 150 ms. */
const TARGET_MS = 150;
/** Start-up varies run to run by more than the changes it is used to judge: take more samples. */
const MIN_FULL_RUNS = 21;

export const startup: BenchCase = {
  name: 'startup',
  title: 'start-up: `llmspell run` of an empty script; spawn of `llmspell dap` to the first stop with stopOnEntry',

  async run(ctx: BenchContext): Promise<CaseResult> {
    const rounds = ctx.quick ? ctx.runs : Math.max(ctx.runs, MIN_FULL_RUNS);
    const empty = scriptPath(emptyScript);
    const variants = [
      { name: 'node -e ""', run: async () => (await timeProcess({ runner: 'node', file: process.execPath, args: ['-e', ''] })).ms },
      { name: 'llmspell run (empty script)', run: async () => (await timeProcess(llmspellRun(emptyScript))).ms },
      { name: 'llmspell dap: spawn → stopped on entry', run: () => timeToFirstStop(empty, 30_000) },
    ];
    const runs = await interleaveRuns<number>(variants, { runs: rounds, warmup: Math.max(ctx.warmup, 1) }, (round, of) =>
      ctx.progress(`round ${round}/${of}`));
    const figures: Figure[] = [
      measurement('node -e "" (the floor)', runs[0]!),
      measurement('llmspell run (empty script)', runs[1]!, TARGET_MS),
      measurement('llmspell dap: spawn → stopped on entry (stdio)', runs[2]!, TARGET_MS),
    ];
    return { figures, notes: [`${rounds} interleaved rounds; wall time, whole processes (spawn to exit; for dap, spawn to the stopped event)`] };
  },
};
