// Functions with breakpoints learn of their calls through a trap in their code instead of a
// call hook on the whole program (src/runtime/worker/lua/debugger/entry-traps.ts). These tests
// pin what users see: no hook while no breakpointed function runs, one stop per call (never a
// repeated first line), parameters, varargs, error lines and variable names as without traps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, debugFixture } from './harness.js';

const traps = debugFixture('traps.lua');

async function launchWith(h: Harness, breakpoints: { line: number; condition?: string; hitCondition?: string }[]): Promise<void> {
  await h.em.start({ debug: true });
  const set = await h.em.setBreakpoints(traps, breakpoints);
  assert.ok(set.every((b) => b.verified), JSON.stringify(set));
  h.em.runProgram(traps);
}

test('a breakpoint in a function that is never called arms no hook at all', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await launchWith(h, [{ line: 15 }]);
  assert.equal(await h.exited(), 0);
  // debug.gethook() in the script sees the debugger's hook when one is armed.
  assert.match(h.output, /hooks before\tnone\n/);
  assert.match(h.output, /hooks after\tnone\n/);
  assert.match(h.output, /sum\t20\n/);
  // string.dump writes the function's own code, not the trap in it.
  assert.match(h.output, /dumped\t42\n/);
});

test("a breakpoint on a function's first line stops once per call, also in a coroutine", async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await launchWith(h, [{ line: 7 }]);
  const seen: string[] = [];
  for (let stop = await h.nextStopOrExit(); stop; stop = await h.nextStopOrExit()) {
    const locals = await h.locals();
    seen.push(`${await h.where()} a=${locals.a} b=${locals.b}`);
    await h.em.continue();
  }
  // Line 7 is also the main chunk's (it makes the closure): that stops once too.
  assert.deepEqual(seen, [
    'main chunk:7 a=undefined b=undefined', 'add:7 a=1 b=1', 'add:7 a=2 b=1', 'add:7 a=3 b=1', 'add:7 a=4 b=1', 'add:7 a=5 b=1', 'add:7 a=10 b=20',
  ]);
  assert.match(h.output, /sum\t20\n.*co\t30\n/s);
});

test('hit counts count calls, and the hooks go once the function has returned', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  // The main chunk's pass over line 7 (making the closure) is the first hit.
  await launchWith(h, [{ line: 7, hitCondition: '4' }]);
  await h.nextStop();
  assert.deepEqual(await h.locals(), { a: '3', b: '1' });
  // Line 7 is the running main chunk's too, so hooks stay while it holds the breakpoint; moved
  // to a function never called, none is left once add has returned.
  await h.em.setBreakpoints(traps, [{ line: 15 }]);
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /hooks after\tnone\n/);
});

test('a vararg function stops on its first line with its parameters and varargs; next goes to the next line', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await launchWith(h, [{ line: 10 }]);
  await h.nextStop();
  assert.equal(await h.where(), 'count:10');
  const before = await h.locals();
  assert.equal(before.n, '1');
  assert.equal(before['...'], '2 varargs');
  assert.equal(before.extra, undefined, 'extra is not declared yet');
  await h.em.stepOver();
  assert.equal((await h.nextStop()).reason, 'step');
  assert.equal(await h.where(), 'count:11');
  assert.equal((await h.locals()).extra, '2');
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /count\t3\n/);
});

test('errors raised in a function with a breakpoint keep their line and variable names', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await launchWith(h, [{ line: 19 }]);
  await h.nextStop();
  assert.equal(await h.where(), 'fails:19');
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /error\t.*traps\.lua:20: attempt to index a nil value \(local 't'\)\n/);
});

test('a conditional breakpoint in a recursive function, and one set while that function runs', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await launchWith(h, [{ line: 24, condition: 'n == 2' }]);
  await h.nextStop();
  const { frames } = await h.em.stackTrace(0, 10);
  // `return depth(n - 1)` is a tail call: each call replaces its caller's frame.
  assert.deepEqual(frames.map((f) => `${f.name}:${f.line}`), ['depth:24', 'main chunk:34']);
  // depth runs now: its code cannot change under it, yet the new breakpoint must hit at once
  // (this frame) and in the calls it makes.
  await h.em.setBreakpoints(traps, [{ line: 25 }]);
  await h.em.continue();
  await h.nextStop();
  assert.deepEqual(await h.locals(), { n: '2' });
  await h.em.continue();
  await h.nextStop();
  assert.deepEqual(await h.locals(), { n: '1' });
  await h.em.setBreakpoints(traps, []);
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /depth\tbottom\n/);
  assert.match(h.output, /hooks after\tnone\n/);
});

test('function breakpoints use the traps too: none armed for a function never called; a stop on entry with the arguments', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.start({ debug: true });
  const fbps = await h.em.setFunctionBreakpoints([{ name: 'never' }, { name: 'add', condition: 'a == 4' }, { name: 'count' }]);
  // Pending until the file loads (function names come from loaded code).
  assert.ok(fbps.every((b) => !b.verified), JSON.stringify(fbps));
  h.em.runProgram(traps);
  const first = await h.nextStop();
  assert.equal(first.reason, 'function breakpoint');
  assert.deepEqual(first.hitBreakpointIds, [fbps[1].id]);
  assert.equal(await h.where(), 'add:7');
  assert.deepEqual(await h.locals(), { a: '4', b: '1' });
  await h.em.continue();
  await h.nextStop();
  assert.equal(await h.where(), 'count:10');
  assert.equal((await h.locals())['...'], '2 varargs');
  // Step from the entry stop: the next line, not the first one again.
  await h.em.stepOver();
  await h.nextStop();
  assert.equal(await h.where(), 'count:11');
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /hooks before\tnone\n/);
  assert.match(h.output, /hooks after\tnone\n/);
});

test('a function breakpoint reached by stepping in stops once', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.start({ debug: true });
  await h.em.setBreakpoints(traps, [{ line: 32 }]);
  h.em.runProgram(traps);
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:32');
  await h.em.setFunctionBreakpoints([{ name: 'count' }]);
  await h.em.stepIn(); // the call hook is armed for the step: the entry is still counted once
  const s = await h.nextStop();
  assert.equal(s.reason, 'function breakpoint');
  assert.equal(await h.where(), 'count:10');
  await h.em.setBreakpoints(traps, []);
  await h.em.continue();
  assert.equal(await h.nextStopOrExit(), null, 'no second stop for the same call');
  assert.match(h.output, /count\t3\n/);
});
