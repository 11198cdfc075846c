// Case 1: `llmspell run` against native lua5.4 on each workload, whole-process wall time with
// start-up included; start-up alone is measured on an empty script so it can be subtracted.
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { llmspellRun, nativeLua } from './commands.js';
import { measurement, ratio, type Figure } from './figures.js';
import { interleave } from './interleave.js';
import { median } from './stats.js';
import { emptyScript, workloadArgs, workloads } from './workloads.js';

/** Goal: llmspell within 3× native Lua. */
const TARGET_MAX_RATIO = 3;

interface Pair {
  llmspell: number[];
  /** Absent when lua5.4 is not available. */
  native?: number[];
}

/** Interleaves llmspell and lua5.4 on one script and checks they printed the same thing. */
async function timePair(ctx: BenchContext, label: string, script: string, args: string[]): Promise<Pair> {
  const commands = [llmspellRun(script, args)];
  if (ctx.lua) commands.push(nativeLua(ctx.lua, script, args));
  const [llm, nat] = await interleave(commands, ctx, (round, of) => ctx.progress(`${label}: round ${round}/${of}`));
  if (nat && llm!.stdout !== nat.stdout) {
    throw new Error(`${script}.lua printed different output: llmspell ${JSON.stringify(llm!.stdout)}, lua5.4 ${JSON.stringify(nat.stdout)}`);
  }
  return nat ? { llmspell: llm!.ms, native: nat.ms } : { llmspell: llm!.ms };
}

export const runVsNative: BenchCase = {
  name: 'run-vs-native',
  title: 'llmspell run vs native lua5.4: whole-process wall time, start-up included',

  async run(ctx: BenchContext): Promise<CaseResult> {
    const figures: Figure[] = [];
    const notes: string[] = [];
    if (!ctx.lua) notes.push('lua5.4 is not available: native comparisons and ratios skipped, llmspell timings only.');

    const startup = await timePair(ctx, 'start-up', emptyScript, []);
    figures.push(measurement('start-up: llmspell (empty script)', startup.llmspell));
    if (startup.native) figures.push(measurement('start-up: lua5.4 (empty script)', startup.native));
    const llmStartup = median(startup.llmspell);
    const nativeStartup = startup.native ? median(startup.native) : 0;

    for (const w of workloads) {
      const args = workloadArgs(w, ctx.quick);
      const t = await timePair(ctx, `${w.name}(${args.join(' ')})`, w.name, args);
      figures.push(measurement(`${w.name}(${args.join(' ')}): llmspell`, t.llmspell));
      if (!t.native) continue;
      figures.push(measurement(`${w.name}(${args.join(' ')}): lua5.4`, t.native));
      const llm = median(t.llmspell);
      const nat = median(t.native);
      figures.push(ratio(`${w.name}: llmspell / lua5.4`, 'median(llmspell) / median(lua5.4)', llm / nat, TARGET_MAX_RATIO));
      figures.push(
        ratio(
          `${w.name}: same, start-up subtracted`,
          '(median(llmspell) - median(llmspell empty)) / (median(lua5.4) - median(lua5.4 empty))',
          (llm - llmStartup) / (nat - nativeStartup),
          TARGET_MAX_RATIO,
        ),
      );
    }
    return { figures, notes };
  },
};
