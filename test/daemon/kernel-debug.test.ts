// `llmspell kernel connect ID --debug` on a real daemon: the terminal debugger attached over the
// kernel's dap_port. Its breakpoints stop anyone's code (here a Jupyter client's cells) and its
// own (Lua typed at its prompt runs as a cell); stops are inspected with the usual commands;
// another client may resume; shared breakpoints are announced; leaving takes its breakpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fixture, spawnCli, repoRoot, waitForExit } from '../e2e/helpers.js';
import { JupyterTestClient } from '../kernel/harness.js';
import { asKernel, attachDirect, execute, listedWhen } from './daemon-clients.js';
import { cli, startDaemon, tempRuntimeDir } from './helpers.js';

const tally = fixture('kernel', 'tally.lua');
const shown = path.relative(repoRoot, tally);
const CELL = `print('tally', dofile(${JSON.stringify(tally)}).tally(3))`;

/** The terminal's output so far, and a way to wait for more of it (from where the last wait left off). */
function watch(child: ChildProcess): { until(pattern: RegExp | string, what?: string): Promise<string>; all(): string } {
  let text = '';
  let from = 0;
  let wake: (() => void) | null = null;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { text += d; wake?.(); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { text += d; wake?.(); });
  return {
    all: () => text,
    async until(pattern, what = String(pattern)) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const rest = text.slice(from);
        const i = typeof pattern === 'string' ? rest.indexOf(pattern) : rest.search(pattern);
        if (i >= 0) {
          const len = typeof pattern === 'string' ? pattern.length : (rest.match(pattern)?.[0].length ?? 0);
          from += i + len;
          return rest.slice(0, i + len);
        }
        if (Date.now() > deadline) throw new Error(`the terminal never printed ${what}; it printed: ${JSON.stringify(text)}`);
        await new Promise<void>((r) => { const timer = setTimeout(r, 100); wake = () => { clearTimeout(timer); r(); }; });
      }
    },
  };
}

test('kernel connect --debug: breakpoints stop other clients\' cells and its own, inspection, resumes by others, shared breakpoints, leaving', async (t) => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'dbg']);
  const term = spawnCli(['kernel', 'connect', 'dbg', '--debug'], { keepStdinOpen: true, env: { LLMSPELL_RUNTIME_DIR: dir } });
  const out = watch(term);
  const type = (line: string): void => { term.stdin!.write(`${line}\n`); };
  const j = await JupyterTestClient.connect(t, asKernel(d).info);

  // Attached as a terminal debugger, counted among the clients.
  await listedWhen(dir, 'dbg', 'the terminal debugger', (k) => !!k.debuggers?.some((c) => c.kind === 'terminal'));
  assert.match((await cli(dir, ['kernel', 'status', 'dbg'])).stdout, /^\s+dap-\d+: terminal debugger from 127\.0\.0\.1:\d+, since .*, 0 breakpoints$/m);

  // A breakpoint of the terminal stops the Jupyter client's cell.
  type(`.break ${tally}:8`);
  await out.until(`Breakpoint 1 at ${shown}:8`);
  const exec = execute(j, CELL);
  await out.until(`Stopped at ${shown}:8 (breakpoint 1)`);
  type('.locals');
  await out.until(/total = 6/);
  type('total * 7');
  await out.until('42\n');
  type('.continue');
  assert.equal((await j.finished(exec)).content.status, 'ok');
  assert.equal(j.streamOf(exec), 'tally\t6\n');
  await out.until('tally\t6\n', "the cell's output, as the debugger sees it");

  // Lua typed here runs as cells in the kernel's session (incomplete input continues).
  type('x = 20');
  type('x + 1');
  await out.until('21\n');
  type('for i = 1, 2 do');
  type('  print("i", i)');
  type('end');
  await out.until('i\t1\ni\t2\n');
  type(`print(dofile(${JSON.stringify(tally)}).tally(2))`);
  await out.until(`Stopped at ${shown}:8 (breakpoint 1)`);
  type('.stack');
  await out.until(/#1 M\.tally at test\/fixtures\/kernel\/tally\.lua:8/);
  type('.continue');
  await out.until('3\n');

  // Another client resumes a stop the terminal is serving.
  const a = await attachDirect(t, d);
  const exec2 = execute(j, CELL);
  await out.until(`Stopped at ${shown}:8 (breakpoint 1)`);
  await a.log.stopped();
  await a.dc.continueRequest({ threadId: 1 });
  await out.until('(resumed by another client)');
  assert.equal((await j.finished(exec2)).content.status, 'ok');

  // A shared breakpoint set from the CLI is announced, and a stop on it says so.
  assert.equal((await cli(dir, ['kernel', 'breakpoint', 'dbg', 'set', `${tally}:6`])).code, 0);
  await out.until(`(shared breakpoint set at ${shown}:6)`);
  const exec3 = execute(j, CELL);
  await out.until(`Stopped at ${shown}:6 (shared breakpoint)`);
  assert.equal((await cli(dir, ['kernel', 'breakpoint', 'dbg', 'clear', `${tally}:6`])).code, 0);
  await out.until(`(shared breakpoint cleared at ${shown}:6)`);
  type('.continue');
  await out.until(`Stopped at ${shown}:8 (breakpoint 1)`, 'its own breakpoint after the shared one went');
  type('.continue');
  assert.equal((await j.finished(exec3)).content.status, 'ok');

  // Leaving takes the terminal's breakpoint: the next cell runs through.
  type('.quit');
  assert.deepEqual(await waitForExit(term, 10_000), { code: 0, signal: null });
  await listedWhen(dir, 'dbg', 'no terminal debugger', (k) => !k.debuggers?.some((c) => c.kind === 'terminal'));
  const stopsBefore = a.log.of('stopped').length;
  const exec4 = execute(j, CELL);
  assert.equal((await j.finished(exec4)).content.status, 'ok');
  assert.equal(a.log.of('stopped').length, stopsBefore, 'no stop after the terminal left');
});

test('kernel connect --debug on a kernel that goes away says so and exits 1', async () => {
  const dir = tempRuntimeDir();
  await startDaemon(dir, ['--id', 'brief']);
  const term = spawnCli(['kernel', 'connect', 'brief', '--debug'], { keepStdinOpen: true, env: { LLMSPELL_RUNTIME_DIR: dir } });
  const out = watch(term);
  await listedWhen(dir, 'brief', 'the terminal debugger', (k) => !!k.debuggers?.some((c) => c.kind === 'terminal'));
  assert.equal((await cli(dir, ['kernel', 'stop', 'brief'])).code, 0);
  assert.deepEqual(await waitForExit(term, 10_000), { code: 1, signal: null });
  assert.match(out.all(), /llmspell: kernel brief: the kernel (is shutting down|shut down|closed the debugger connection)/);
});
