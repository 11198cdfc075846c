// bench/results.json: the machine, the options and every figure of every case.
import * as fs from 'node:fs';
import type { MachineInfo } from './machine.js';
import type { BenchOptions } from './options.js';
import type { CaseReport } from './runner.js';
import { resultsFile } from './paths.js';

export interface Results {
  machine: MachineInfo;
  options: BenchOptions;
  cases: CaseReport[];
}

export function writeResults(results: Results): string {
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  return resultsFile;
}
