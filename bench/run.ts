// Benchmark entry point (`npm run bench`): runs the cases, prints the table, writes bench/results.json.
// To add a case, implement BenchCase (bench/lib/bench-case.ts) and list it here.
import * as os from 'node:os';
import type { BenchCase } from './lib/bench-case.js';
import { dapIdle } from './lib/case-dap-idle.js';
import { dapRoundTrip } from './lib/case-dap-roundtrip.js';
import { multiClient } from './lib/case-multi-client.js';
import { startup } from './lib/case-startup.js';
import { memory } from './lib/case-memory.js';
import { debuggerControl } from './lib/case-debugger-control.js';
import { debuggerHotLine } from './lib/case-debugger-hot-line.js';
import { debuggerIdle } from './lib/case-debugger-idle.js';
import { runVsNative } from './lib/case-run-vs-native.js';
import { findLua, machineInfo } from './lib/machine.js';
import { parseOptions, usage } from './lib/options.js';
import { writeResults } from './lib/results-file.js';
import { runCases } from './lib/runner.js';
import { formatTable } from './lib/table.js';

const allCases: readonly BenchCase[] = [runVsNative, startup, debuggerIdle, dapIdle, debuggerHotLine, debuggerControl, dapRoundTrip, multiClient, memory];

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  const unknown = options.cases.filter((n) => !allCases.some((c) => c.name === n));
  if (unknown.length > 0) {
    console.error(`unknown case: ${unknown.join(', ')} (cases: ${allCases.map((c) => c.name).join(', ')})`);
    return 2;
  }
  const cases = options.cases.length === 0 ? allCases : allCases.filter((c) => options.cases.includes(c.name));

  const { lua, problem } = findLua(options.lua);
  const machine = machineInfo(lua, problem);
  if (!lua) console.log(`lua5.4 NOT AVAILABLE (${problem}): comparisons with native Lua are skipped.\n`);

  const reports = await runCases(cases, {
    quick: options.quick,
    runs: options.runs,
    warmup: options.warmup,
    lua,
    progress: (m) => process.stderr.write(`${m}\n`),
  });

  machine.loadAverage.end = Math.round(os.loadavg()[0]! * 100) / 100;
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGiB} GiB, ${machine.os}`);
  console.log(`load average (1 min): ${machine.loadAverage.start} at the start, ${machine.loadAverage.end} at the end`);
  console.log(`node ${machine.node}, wasmoon ${machine.wasmoon}, native: ${machine.lua}`);
  console.log(`${options.quick ? 'QUICK mode (smaller workloads), ' : ''}${options.runs} interleaved runs per command after ${options.warmup} warm-up; medians\n`);
  console.log(formatTable(reports));
  const file = writeResults({ machine, options, cases: reports });
  console.log(`\nall figures: ${file}`);
  return reports.some((r) => r.error) ? 1 : 0;
}

process.exitCode = await main();
