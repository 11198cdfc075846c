// Starts `llmspell dap` as editors do and talks to it with VS Code's own test client.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cli = path.join(repoRoot, 'bin/llmspell.js');
export const fixture = (...parts: string[]): string => path.join(repoRoot, 'test/fixtures', ...parts);

/**
 * A DebugClient on a fresh `llmspell dap` over stdio, closed by the test's cleanup.
 * DebugClient spawns `<runtime> <executable>` without arguments, so the executable is a shim
 * that runs the real CLI entry point with `dap`.
 */
export async function startAdapter(t: { after: (fn: () => Promise<void>) => void }, cliArgs: string[] = ['dap']): Promise<DebugClient> {
  const shim = fixture('dap/adapter-shim.mjs');
  const env = { ...process.env, LLMSPELL_SHIM_ARGS: JSON.stringify(cliArgs) };
  const dc = new DebugClient(process.execPath, shim, 'llmspell', { cwd: repoRoot, env }, true);
  dc.defaultTimeout = 8000;
  await dc.start();
  t.after(async () => { await dc.stop(); });
  return dc;
}
