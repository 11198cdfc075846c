// A debuggee of several runtimes (RuntimeThreads) on real Lua scripts: breakpoints set once
// reach every runtime, also one that starts later; each request is routed to its thread by
// thread id, frame id or variable reference; one thread resumes alone or with the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ExecutionManager, FIRST_SCOPED_ID, RuntimeThreads, type StoppedEvent, type ThreadChange } from '../../src/debug/index.js';
import { repoRoot } from './harness.js';

const stops = path.join(repoRoot, 'test/fixtures/kernel/scripts/stops.lua');
const STEP_FIRST = 3;

type T = { after: (fn: () => Promise<void>) => void };

function nextStop(debuggee: RuntimeThreads, threadId: number): Promise<StoppedEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`thread ${threadId} did not stop`)), 5000);
    const on = (s: StoppedEvent): void => {
      if (s.threadId !== threadId) return;
      clearTimeout(timer);
      debuggee.off('stopped', on);
      resolve(s);
    };
    debuggee.on('stopped', on);
  });
}

async function locals(debuggee: RuntimeThreads, threadId: number): Promise<{ frameId: number; ref: number; vars: Record<string, string> }> {
  const { frames } = await debuggee.stackTrace(threadId, 0, 1);
  const scopes = await debuggee.scopes(frames[0].id);
  const vars = await debuggee.variables(scopes[0].ref);
  return { frameId: frames[0].id, ref: scopes[0].ref, vars: Object.fromEntries(vars.map((v) => [v.name, v.value])) };
}

/** Thread 1 runs stops.lua; a second runtime (thread 2) runs it too, started after the breakpoint was set. */
async function twoThreads(t: T): Promise<{ debuggee: RuntimeThreads; script: ExecutionManager; changes: ThreadChange[] }> {
  const main = new ExecutionManager();
  const debuggee = new RuntimeThreads(main);
  const changes: ThreadChange[] = [];
  debuggee.on('thread', (c) => changes.push(c));
  t.after(async () => { await main.dispose(); });
  await main.start({ debug: true });
  const states = await debuggee.setBreakpoints(stops, [{ line: STEP_FIRST }]);
  assert.equal(states.length, 1);
  const mainStop = nextStop(debuggee, 1);
  main.runProgram(stops);
  await mainStop;

  const script = new ExecutionManager({ threadId: debuggee.newThreadId(), book: debuggee.book });
  t.after(async () => { await script.dispose(); });
  await script.start({ debug: true });
  debuggee.add(script, 'stops.lua');
  const scriptStop = nextStop(debuggee, script.threadId);
  script.runProgram(stops);
  const s = await scriptStop;
  assert.deepEqual(s.hitBreakpointIds, [states[0].id], "the book's breakpoint, with the same id in every runtime");
  return { debuggee, script, changes };
}

test('requests reach the thread their frame id or variable reference belongs to', async (t) => {
  const { debuggee, script } = await twoThreads(t);
  const id = script.threadId;
  assert.equal(id, 2);
  assert.deepEqual(debuggee.threads(), [{ id: 1, name: 'stops.lua' }, { id: 2, name: 'stops.lua' }]);

  // Thread 1 moves on alone to its next call of step(); thread 2 stays where it was.
  const again = nextStop(debuggee, 1);
  assert.equal(await debuggee.resume(1, 'continue', true), false, 'thread 2 is still stopped');
  await again;
  const one = await locals(debuggee, 1);
  const two = await locals(debuggee, id);
  assert.equal(one.vars.n, '2');
  assert.equal(two.vars.n, '1');
  assert.ok(one.frameId < FIRST_SCOPED_ID && one.ref < FIRST_SCOPED_ID, "the main thread's ids are its worker's own");
  assert.ok(two.frameId >= FIRST_SCOPED_ID && two.ref >= FIRST_SCOPED_ID, "another thread's ids are its own");
  assert.equal((await debuggee.evaluate('n', two.frameId, 'watch')).value, '1');
  assert.equal((await debuggee.evaluate('n', one.frameId, 'watch')).value, '2');
  assert.equal((await debuggee.setVariable(two.ref, 'n', '40')).value, '40');
  assert.equal((await debuggee.evaluate('n + 2', two.frameId, 'watch')).value, '42');
  assert.equal((await locals(debuggee, 1)).vars.n, '2', 'thread 1 untouched');
  await assert.rejects(debuggee.stackTrace(9), /there is no thread 9/);
});

test("a resume without singleThread moves every stopped thread; a thread's end is a thread change and forgets its ids", async (t) => {
  const { debuggee, script, changes } = await twoThreads(t);
  const id = script.threadId;
  const { frameId } = await locals(debuggee, id);
  const continued: number[] = [];
  debuggee.on('continued', (th) => continued.push(th));
  const stops1 = nextStop(debuggee, 1);
  const stops2 = nextStop(debuggee, id);
  assert.equal(await debuggee.resume(id, 'over', false), true);
  assert.equal((await stops2).reason, 'step');
  assert.equal((await stops1).reason, 'breakpoint');
  assert.deepEqual(continued.sort(), [1, id]);
  await assert.rejects(debuggee.scopes(frameId), /frame \d+ is not valid/, 'the resumed thread forgot its old frames');

  await debuggee.setBreakpoints(stops, []);
  const exited = new Promise<void>((resolve) => debuggee.on('thread', (c) => { if (c.reason === 'exited') resolve(); }));
  await debuggee.resume(id, 'continue', true);
  await exited;
  assert.deepEqual(changes.map((c) => [c.reason, c.threadId, c.exitCode]), [['started', id, undefined], ['exited', id, 0]]);
  assert.deepEqual(debuggee.threads().map((th) => th.id), [1]);
  assert.equal(debuggee.frames.size + debuggee.refs.size, 0);
  await assert.rejects(async () => debuggee.thread(id), /there is no thread/);
});

test('a thread must share the debuggee\'s breakpoints', () => {
  const debuggee = new RuntimeThreads(new ExecutionManager());
  assert.throws(() => debuggee.add(new ExecutionManager({ threadId: 5 }), 'x.lua'), /share the debuggee's breakpoints/);
  assert.throws(() => debuggee.add(new ExecutionManager({ threadId: 1, book: debuggee.book }), 'x.lua'), /thread 1 exists/);
});
