// Errors through `llmspell dap`: the 'uncaught' and 'all' exception filters, filterOptions with
// a condition on the error value, exceptionInfo, and how an uncaught error ends the script
// (its message and traceback on stderr, exit code 1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { debugFixture, launch, locals, resumeAndStop, startAdapter, type EventLog } from './dap-client.js';

// errors.lua raises three errors from fail() (line 3): one a pcall catches (line 6), one inside
// a coroutine that coroutine.resume reports (line 15), and one nothing catches (line 17).
const errors = debugFixture('errors.lua');

const exceptionInfo = async (dc: DebugClient): Promise<P.ExceptionInfoResponse['body']> => (await dc.exceptionInfoRequest({ threadId: 1 })).body;

/** The stack as "name:line", without the frames that only separate coroutines. */
async function stack(dc: DebugClient): Promise<string[]> {
  const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  return frames.map((f) => (f.presentationHint === 'label' ? f.name : `${f.name}:${f.line}`));
}

async function expectEnd(log: EventLog, code: number): Promise<void> {
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, code);
  await log.next('terminated');
}

test('uncaught: stops where the error is raised with the whole stack; exceptionInfo describes it; the script then fails with exit code 1', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: errors }, (c) => c.setExceptionBreakpointsRequest({ filters: ['uncaught'] }));
  const s = await log.stopped();
  assert.equal(s.body.reason, 'exception');
  assert.match(s.body.text ?? '', /bad uncaught$/);
  assert.match(s.body.description ?? '', /bad uncaught/);
  assert.equal(s.body.hitBreakpointIds, undefined);
  assert.deepEqual(await stack(dc), ['fail:3', 'main chunk:17']);
  assert.equal((await locals(dc)).detail, '"bad uncaught"', 'the raising frame is intact');

  const info = await exceptionInfo(dc);
  assert.equal(info.exceptionId, 'error');
  assert.equal(info.breakMode, 'unhandled');
  assert.match(info.description ?? '', /errors\.lua:3: bad uncaught/);
  assert.match(info.details?.stackTrace ?? '', /errors\.lua:3: in .*fail/);

  // The caught errors ran by without a stop.
  assert.match(log.output('stdout'), /pcall gave\tfalse\t.*bad caught/);
  await dc.continueRequest({ threadId: 1 });
  await expectEnd(log, 1);
  assert.match(log.output('stderr'), /errors\.lua:3: bad uncaught\nstack traceback:\n/);
  assert.equal(log.of('stopped').length, 1);
});

test('all: stops on the error a pcall catches, inside the coroutine, and on the uncaught one', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: errors }, (c) => c.setExceptionBreakpointsRequest({ filters: ['all'] }));
  const caught = await log.stopped();
  assert.equal(caught.body.reason, 'exception');
  assert.match(caught.body.text ?? '', /bad caught$/);
  assert.equal((await exceptionInfo(dc)).breakMode, 'always');
  assert.equal((await stack(dc))[0], 'fail:3');
  assert.equal(log.output('stdout'), '', 'stopped before pcall returned');

  const inCoroutine = await resumeAndStop(dc, log, 'continue');
  assert.match(inCoroutine.body.text ?? '', /bad in coroutine$/);
  assert.deepEqual(await stack(dc), ['fail:3', 'function <errors.lua:9>:12', 'resumed by', '[C] resume:0', 'main chunk:15'],
    "the coroutine's frames, then the code that resumed it");

  const uncaught = await resumeAndStop(dc, log, 'continue');
  assert.match(uncaught.body.text ?? '', /bad uncaught$/);
  await dc.continueRequest({ threadId: 1 });
  await expectEnd(log, 1);
  assert.equal(log.of('stopped').length, 3);
});

test('filterOptions: a condition on the error value chooses which errors stop', async (t) => {
  const dc = await startAdapter(t);
  let states: P.Breakpoint[] = [];
  const log = await launch(dc, { program: errors }, async (c) => {
    states = (await c.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'all', condition: 'e:find("coroutine")' }] })).body?.breakpoints ?? [];
  });
  assert.deepEqual(states.map((b) => b.verified), [true]);
  const s = await log.stopped();
  assert.match(s.body.text ?? '', /bad in coroutine$/);
  await dc.continueRequest({ threadId: 1 });
  await expectEnd(log, 1);
  assert.equal(log.of('stopped').length, 1, 'the other two errors do not match');
});

test('a filter condition that does not compile is unverified; an unknown filter is refused', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: errors, stopOnEntry: true });
  await log.stopped();
  const bad = (await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'uncaught', condition: 'e ==' }] })).body?.breakpoints ?? [];
  assert.equal(bad[0].verified, false);
  assert.match(bad[0].message ?? '', /condition does not compile/);
  await assert.rejects(dc.setExceptionBreakpointsRequest({ filters: ['sometimes'] }), /unknown filter 'sometimes'/);
  await assert.rejects(dc.exceptionInfoRequest({ threadId: 1 }), /not stopped on an error/);
});

test('without exception filters an uncaught error ends the script: stderr has the message, exited has code 1', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: errors }, (c) => c.setExceptionBreakpointsRequest({ filters: [] }));
  await expectEnd(log, 1);
  assert.equal(log.of('stopped').length, 0);
  assert.match(log.output('stderr'), /bad uncaught/);
  assert.match(log.output('stdout'), /pcall gave\tfalse/);
});
