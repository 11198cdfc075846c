// Runs the Python end-to-end tests of the Jupyter kernel (test/e2e/jupyter/test_*.py) with
// Debian's /usr/bin/python3: Jupyter's own conformance suite (jupyter_kernel_test), the
// JupyterLab debugger flow and the protocol over jupyter_client, and jupyter console in tmux.
// Each module is one test here; a failure shows the module's whole output.
// Needs: python3-jupyter-client, python3-jupyter-kernel-test, jupyter-console, tmux (apt-get).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../e2e/helpers.js';

// Debian's Python (the `python3` on PATH may be another one, without Jupyter's packages).
const PYTHON = process.env.LLMSPELL_TEST_PYTHON ?? '/usr/bin/python3';
const HERE = path.join(repoRoot, 'test', 'e2e', 'jupyter');
const MODULES = ['test_kernel', 'test_debugger', 'test_protocol', 'test_console'];
const TIMEOUT_MS = 300_000;

function missingPython(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import jupyter_client, jupyter_kernel_test'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not found: install Debian's python3-jupyter-client and python3-jupyter-kernel-test (apt-get)`;
  if (r.status !== 0) return `${PYTHON} lacks jupyter_client or jupyter_kernel_test: apt-get install python3-jupyter-client python3-jupyter-kernel-test (${r.stderr.trim().split('\n').pop()})`;
  return null;
}

const missing = missingPython();
if (missing) console.log(`# skipping the Jupyter end-to-end tests: ${missing}`);

function runModule(module: string): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LLMSPELL_NODE: process.execPath, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
    delete env.NODE_OPTIONS;
    delete env.NODE_TEST_CONTEXT;
    // Its own process group, so a hung run is ended with everything it started.
    const child = spawn(PYTHON, ['-m', 'unittest', '-v', module], { cwd: HERE, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { output += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { output += d; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, TIMEOUT_MS);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

for (const module of MODULES) {
  test(`python ${module}`, { skip: missing ?? false, timeout: TIMEOUT_MS + 10_000 }, async (t) => {
    const r = await runModule(module);
    assert.equal(r.timedOut, false, `${module} did not finish within ${TIMEOUT_MS / 1000} s:\n${r.output}`);
    assert.equal(r.code, 0, `${module} failed (exit ${r.code}):\n${r.output}`);
    const summary = /^Ran \d+ tests? in .*$/m.exec(r.output)?.[0] ?? '';
    const skipped = [...r.output.matchAll(/\.\.\. skipped '([^']*)'/g)].map((m) => m[1]);
    t.diagnostic(`${summary}${skipped.length ? `; skipped: ${[...new Set(skipped)].join('; ')}` : ''}`);
    if (/^OK \(skipped=\d+\)$/m.test(r.output) && !/\.\.\. ok$/m.test(r.output)) t.skip(`every test skipped: ${[...new Set(skipped)].join('; ')}`);
  });
}
