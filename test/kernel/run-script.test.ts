// ScriptRun, what `llmspell run` does: interrupted at any moment, it ends with the interrupted
// code instead of hanging (the runtime may still be booting).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { EXIT_INTERRUPTED, ScriptRun } from '../../src/kernel/run-script.js';
import { ScriptRuntime } from '../../src/runtime/index.js';

test('a runtime stopped before it is ready says so to start() instead of never settling', { timeout: 10_000 }, async () => {
  const rt = new ScriptRuntime({ debugger: false });
  const started = rt.start();
  await rt.stop();
  await assert.rejects(started, /ended before it was ready/);
});

test('interrupted while its runtime boots, a run ends with the interrupted code', { timeout: 10_000 }, async () => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const run = new ScriptRun({ source: { kind: 'code', code: 'while true do end' }, args: [], stdout, stderr });
  run.interrupt();
  assert.equal(await run.run(), EXIT_INTERRUPTED);
});
