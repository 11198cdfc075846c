import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, debugFixture } from './harness.js';

const accounts = debugFixture('accounts.lua');

test('a line breakpoint stops with locals, and a blank line moves to the next line with code', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.start({ debug: true });
  const set = await h.em.setBreakpoints(accounts, [{ line: 12 }, { line: 3 }]);
  assert.equal(set.length, 2);
  assert.deepEqual(set.map((b) => [b.verified, b.line]), [[true, 12], [true, 4]], 'verified from the compiled file before it runs; blank line 3 moved to 4');
  h.em.runProgram(accounts);
  const stop = await h.nextStop();
  assert.equal(stop.reason, 'breakpoint');
  assert.deepEqual(stop.hitBreakpointIds, [set[1].id]);
  assert.equal(await h.where(), 'main chunk:4');
  await h.em.continue();
  const s2 = await h.nextStop();
  assert.deepEqual(s2.hitBreakpointIds, [set[0].id]);
  assert.equal(await h.where(), 'Account:deposit:12');
  const locals = await h.locals();
  assert.equal(locals.v, '1');
  assert.match(locals.self, /owner="user1"/);
  await h.em.setBreakpoints(accounts, []);
  await h.em.continue();
  assert.equal(await h.exited(), 0);
  assert.match(h.output, /total\t165/);
});

test('a breakpoint past the last line of code is unverified with a reason', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: accounts, stopOnEntry: true });
  await h.nextStop();
  const [bp] = await h.em.setBreakpoints(accounts, [{ line: 500 }]);
  assert.equal(bp.verified, false);
  assert.match(bp.message ?? '', /no code at or after line 500/);
});

test('conditions see locals; a condition that does not compile is rejected; one that fails at run time stops', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: accounts, stopOnEntry: true });
  assert.equal((await h.nextStop()).reason, 'entry');
  const [bad] = await h.em.setBreakpoints(accounts, [{ line: 19, condition: 'i ==' }]);
  assert.equal(bad.verified, false);
  assert.match(bad.message ?? '', /condition does not compile: .*unexpected symbol/);
  const [good] = await h.em.setBreakpoints(accounts, [{ line: 19, condition: 'i == 3 and sum > 0' }]);
  assert.equal(good.verified, true);
  await h.em.continue();
  await h.nextStop();
  assert.equal((await h.locals()).i, '3');
  await h.em.setBreakpoints(accounts, [{ line: 19, condition: 'nosuch.field > 1' }]);
  await h.em.continue();
  const s = await h.nextStop();
  assert.equal(s.reason, 'breakpoint');
  assert.match(s.description, /Error in breakpoint condition .*attempt to index a nil value/);
});

test('hit conditions: N, >= N, % N', async (t) => {
  for (const [hitCondition, expected] of [['2', ['2']], ['>= 4', ['4', '5']], ['% 2', ['2', '4']]] as const) {
    const h = new Harness();
    t.after(() => h.close());
    await h.em.setBreakpoints(accounts, [{ line: 19, hitCondition }]);
    await h.em.launch({ program: accounts });
    const seen: string[] = [];
    while (await h.nextStopOrExit()) {
      seen.push((await h.locals()).i);
      await h.em.continue();
    }
    assert.deepEqual(seen, expected, `hit condition ${hitCondition}`);
  }
});

test('log points interpolate expressions and do not stop', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setBreakpoints(accounts, [{ line: 19, logMessage: 'i={i} owner={accounts[i].owner} {{literal}}' }]);
  await h.em.launch({ program: accounts });
  assert.equal(await h.exited(), 0);
  assert.match(h.console, /^i=1 owner=user1 \{literal\}\n/);
  assert.equal(h.console.trim().split('\n').length, 5);
});

test('function breakpoints by name stop on entry', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: accounts, stopOnEntry: true });
  await h.nextStop();
  const bps = await h.em.setFunctionBreakpoints([{ name: 'Account:deposit' }, { name: 'total' }, { name: 'nosuch' }]);
  assert.deepEqual(bps.map((b) => b.verified), [true, true, false]);
  await h.em.continue();
  const s = await h.nextStop();
  assert.equal(s.reason, 'function breakpoint');
  assert.equal(await h.where(), 'Account:deposit:12');
  await h.em.setFunctionBreakpoints([{ name: 'total' }]);
  await h.em.continue();
  await h.nextStop();
  assert.equal(await h.where(), 'total:17');
});

test('breakpoints set while the script runs take effect at once', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  const loop = debugFixture('loop.lua');
  await h.em.launch({ program: loop });
  while (!h.output.includes('ready')) await new Promise((r) => setTimeout(r, 10));
  const [bp] = await h.em.setBreakpoints(loop, [{ line: 4, condition: 'n % 1000 == 0' }]);
  assert.equal(bp.verified, true);
  await h.nextStop();
  assert.equal(Number((await h.locals()).n) % 1000, 0);
});

test('a breakpoint in a file that does not exist yet is pending, then verified when the file loads', async (t) => {
  const os = await import('node:os');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-late-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const late = path.join(dir, 'late.lua');
  const h = new Harness();
  t.after(() => h.close());
  await h.em.start({ debug: true });
  const [bp] = await h.em.setBreakpoints(late, [{ line: 3 }]);
  assert.equal(bp.verified, false);
  assert.match(bp.message ?? '', /pending/);
  const changes: { id: number; line?: number; verified: boolean }[] = [];
  h.em.on('breakpoint', (b) => changes.push(b));
  h.em.runProgram(debugFixture('writes-module.lua'), [late]);
  await h.nextStop();
  assert.equal(await h.where(), 'main chunk:3');
  assert.ok(changes.some((c) => c.id === bp.id && c.verified && c.line === 3), 'an event says the breakpoint is verified');
});
