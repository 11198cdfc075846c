// Command-line options of the benchmark runner.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Smaller workloads and fewer runs: a smoke test of the suite, not figures to quote. */
  quick: boolean;
  /** Timed runs of each command (interleaved with the commands they are compared to). */
  runs: number;
  /** Untimed rounds before the timed ones (file cache, CPU frequency). */
  warmup: number;
  /** The native Lua to compare with: a path or a name looked up on PATH. */
  lua: string;
  /** Run only these cases (all when empty). */
  cases: string[];
}

export const usage = `usage: npm run bench -- [--quick] [--runs N] [--lua PATH] [--case NAME ...]
  --quick      smaller workloads, 3 runs each (default: full size, 7 runs)
  --runs N     timed runs per command
  --lua PATH   native Lua 5.4 to compare with (default: lua5.4 on PATH)
  --case NAME  run only this case (repeatable)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      lua: { type: 'string', default: 'lua5.4' },
      case: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const runs = values.runs === undefined ? (values.quick ? 3 : 7) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  return { quick: values.quick, runs, warmup: 1, lua: values.lua, cases: values.case };
}
