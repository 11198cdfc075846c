// Where things are: the repository root, the llmspell launcher, the Lua workloads and the results file.
// Compiled code runs from dist/bench/lib, so the root is three levels up.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const llmspellBin = path.join(repoRoot, 'bin', 'llmspell.js');
export const scriptsDir = path.join(repoRoot, 'bench', 'scripts');
export const resultsFile = path.join(repoRoot, 'bench', 'results.json');

export function scriptPath(name: string): string {
  return path.join(scriptsDir, `${name}.lua`);
}
