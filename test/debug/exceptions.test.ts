import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, debugFixture } from './harness.js';

const errors = debugFixture('errors.lua');

test('uncaught: stops where the error is raised with the whole stack, ignoring caught ones', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setExceptionBreakpoints([{ filter: 'uncaught' }]);
  await h.em.launch({ program: errors });
  const s = await h.nextStop();
  assert.equal(s.reason, 'exception');
  assert.match(s.description, /errors\.lua:3: bad uncaught/);
  const { frames } = await h.em.stackTrace();
  assert.deepEqual(frames.map((f) => `${f.name}:${f.line}`), ['fail:3', 'main chunk:17']);
  assert.equal((await h.locals()).detail, '"bad uncaught"');
  const info = await h.em.exceptionInfo();
  assert.match(info?.traceback ?? '', /stack traceback:/);
  assert.match(h.output, /pcall gave\tfalse/, 'the caught errors did not stop');
  await h.em.continue();
  assert.equal(await h.exited(), 1);
});

test('all: stops on caught errors too, in pcall and inside coroutines with their own stack', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setExceptionBreakpoints([{ filter: 'all' }]);
  await h.em.launch({ program: errors });
  const first = await h.nextStop();
  assert.match(first.description, /bad caught/);
  assert.deepEqual((await h.em.stackTrace()).frames.map((f) => f.name).slice(0, 2), ['fail', '[C] pcall']);
  await h.em.continue();
  const second = await h.nextStop();
  assert.match(second.description, /bad in coroutine/);
  const { frames } = await h.em.stackTrace();
  const names = frames.map((f) => f.name);
  assert.equal(names[0], 'fail');
  assert.ok(names.includes('resumed by'), `coroutine frames then the resumer: ${names.join(' | ')}`);
  assert.equal(names[names.length - 1], 'main chunk');
  await h.em.continue();
  const third = await h.nextStop();
  assert.match(third.description, /bad uncaught/);
  await h.em.continue();
  assert.equal(await h.exited(), 1);
  assert.match(h.output, /pcall gave\tfalse\t.*bad caught/);
});

test('exception conditions filter on the error value', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setExceptionBreakpoints([{ filter: 'all', condition: 'tostring(e):find("coroutine") ~= nil' }]);
  await h.em.launch({ program: errors });
  const s = await h.nextStop();
  assert.match(s.description, /bad in coroutine/);
});

test('a script cannot tell the wrappers are there: pcall, xpcall, error values, yields across pcall', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setExceptionBreakpoints([{ filter: 'uncaught' }]);
  await h.em.launch({ program: debugFixture('transparency.lua') });
  assert.equal(await h.exited(), 0, h.output);
  assert.equal(h.output.trim(), 'ok');
});
