import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, debugFixture } from './harness.js';

const steps = debugFixture('steps.lua');

async function startAtEntry(t: { after: (fn: () => Promise<void>) => void }, file: string): Promise<Harness> {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: file, stopOnEntry: true });
  const s = await h.nextStop();
  assert.equal(s.reason, 'entry');
  return h;
}

test('stop on entry stops at the first line', async (t) => {
  const h = await startAtEntry(t, steps);
  assert.equal(await h.where(), 'main chunk:4');
});

test('step over, step in, step out follow calls and returns', async (t) => {
  const h = await startAtEntry(t, steps);
  await h.em.setBreakpoints(steps, [{ line: 12 }]);
  await h.em.continue();
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:12');
  await h.em.stepIn();
  assert.equal((await h.nextStop()).reason, 'step');
  assert.equal(await h.where(), 'outer:7');
  await h.em.stepOver();
  await h.nextStop();
  assert.equal(await h.where(), 'outer:8', 'step over does not enter inner');
  assert.equal((await h.locals()).b, '4');
  await h.em.stepOut();
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:13');
  await h.em.stepOver();
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:14');
  await h.em.continue();
  assert.equal(await h.exited(), 0);
});

test('step in enters a nested call, step out returns to the caller', async (t) => {
  const h = await startAtEntry(t, steps);
  await h.em.setBreakpoints(steps, [{ line: 7 }]);
  await h.em.continue();
  await h.nextStop();
  await h.em.stepIn();
  await h.nextStop();
  assert.equal(await h.where(), 'inner:2');
  const { frames } = await h.em.stackTrace();
  assert.deepEqual(frames.map((f) => `${f.name}:${f.line}`), ['inner:2', 'outer:7', 'main chunk:12']);
  await h.em.stepOut();
  await h.nextStop();
  assert.equal(await h.where(), 'outer:8');
});

test('stack trace pages with start and levels and reports the total', async (t) => {
  const h = await startAtEntry(t, steps);
  await h.em.setBreakpoints(steps, [{ line: 2 }]);
  await h.em.continue();
  await h.nextStop();
  const page = await h.em.stackTrace(1, 1);
  assert.equal(page.total, 3);
  assert.deepEqual(page.frames.map((f) => f.name), ['outer']);
  assert.ok(page.frames[0].source?.endsWith('steps.lua'));
});

test('stepping over coroutine.resume stays out of the coroutine; stepping in enters it', async (t) => {
  const file = debugFixture('coroutines.lua');
  const h = await startAtEntry(t, file);
  await h.em.setBreakpoints(file, [{ line: 11 }]);
  await h.em.continue();
  await h.nextStop();
  await h.em.stepOver();
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:12');
  await h.em.continue();
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:11');
  await h.em.stepIn();
  await h.nextStop();
  assert.match(await h.where(), /^producer:[2-5]$/);
  const { frames } = await h.em.stackTrace();
  const kinds = frames.map((f) => f.kind);
  assert.ok(kinds.includes('boundary'), 'a boundary separates the coroutine from its resumer');
  assert.equal(frames[frames.length - 1].name, 'main chunk');
});

test('a breakpoint in a required module binds to the module file', async (t) => {
  const main = debugFixture('modules/main.lua');
  const helper = debugFixture('modules/helper.lua');
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setBreakpoints(helper, [{ line: 4 }]);
  await h.em.launch({ program: main, cwd: debugFixture('modules') });
  await h.nextStop();
  const { frames } = await h.em.stackTrace();
  assert.equal(frames[0].source, helper);
  assert.equal(frames[0].name, 'M.double');
  assert.equal((await h.locals()).x, '21');
  const sources = await h.em.loadedSources();
  assert.ok(sources.includes(helper) && sources.includes(main));
});

test('pause stops an endless loop, and terminate ends it', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  const loop = debugFixture('loop.lua');
  await h.em.launch({ program: loop });
  while (!h.output.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  const before = Date.now();
  h.em.pause();
  const s = await h.nextStop();
  assert.equal(s.reason, 'pause');
  assert.ok(Date.now() - before < 1000, 'pause lands within a second');
  assert.match(await h.where(), /main chunk:[345]/);
  await h.em.continue();
  await new Promise((r) => setTimeout(r, 50));
  const t0 = Date.now();
  await h.em.terminate();
  assert.equal(await h.exited(), 130);
  assert.ok(Date.now() - t0 < 1000);
});

test('pause in deep recursion', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: debugFixture('recursion.lua') });
  while (!h.output.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  h.em.pause();
  await h.nextStop();
  const { total } = await h.em.stackTrace(0, 1);
  assert.ok(total > 10, `deep stack (${total} frames)`);
});
