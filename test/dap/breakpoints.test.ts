// Breakpoints through `llmspell dap`: line breakpoints with conditions, hit conditions and log
// messages, function breakpoints, breakpointLocations, breakpoints set while the script runs,
// and the `breakpoint`/`loadedSource` events for files that load later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { breakpointsAt, debugFixture, EventLog, launch, locals, resumeAndStop, startAdapter, where } from './dap-client.js';

const accounts = debugFixture('accounts.lua');
const loop = debugFixture('loop.lua');

test('setBreakpoints verifies each line: a blank line moves to the next code, a line past the end is refused with a reason', async (t) => {
  const dc = await startAdapter(t);
  let bps: P.Breakpoint[] = [];
  const log = await launch(dc, { program: accounts }, async () => {
    bps = (await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [{ line: 3 }, { line: 12 }, { line: 500 }] })).body.breakpoints;
  });
  assert.deepEqual(bps.map((b) => [b.verified, b.line]), [[true, 4], [true, 12], [false, 500]]);
  assert.equal(bps[0].source?.path, accounts);
  assert.match(bps[2].message ?? '', /no code at or after line 500/);
  assert.equal(new Set(bps.map((b) => b.id)).size, 3, 'each breakpoint has its own id');

  const first = await log.stopped();
  assert.equal(first.body.reason, 'breakpoint');
  assert.deepEqual(first.body.hitBreakpointIds, [bps[0].id]);
  assert.equal(await where(dc), 'main chunk:4');
  const second = await resumeAndStop(dc, log, 'continue');
  assert.deepEqual(second.body.hitBreakpointIds, [bps[1].id]);
  assert.equal(await where(dc), 'Account:deposit:12');

  // An empty list clears the source.
  assert.deepEqual((await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [] })).body.breakpoints, []);
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.of('stopped').length, 2);
});

test('conditions and hit conditions decide which passes stop; a condition that does not compile is refused', async (t) => {
  const dc = await startAdapter(t);
  let bps: P.Breakpoint[] = [];
  const log = await launch(dc, { program: accounts }, async () => {
    bps = (await dc.setBreakpointsRequest({
      source: { path: accounts },
      breakpoints: [{ line: 12, condition: 'v % 2 == 0', hitCondition: '2' }, { line: 17, condition: 'sum ==' }, { line: 19, hitCondition: '>= 5' }],
    })).body.breakpoints;
  });
  assert.deepEqual(bps.map((b) => b.verified), [true, false, true]);
  assert.match(bps[1].message ?? '', /condition does not compile/);
  // Line 12 runs with v = 1..5: the condition holds for 2 and 4, and the second of those stops.
  const s = await log.stopped();
  assert.deepEqual(s.body.hitBreakpointIds, [bps[0].id]);
  assert.equal((await locals(dc)).v, '4');
  // Line 19 (the loop's body) runs five times: the fifth stops.
  const s2 = await resumeAndStop(dc, log, 'continue');
  assert.deepEqual(s2.body.hitBreakpointIds, [bps[2].id]);
  assert.equal((await locals(dc)).i, '5');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.of('stopped').length, 2);
});

test('log points print to the console category with their source line and never stop', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: accounts }, breakpointsAt(accounts, { line: 19, logMessage: 'i={i} owner={accounts[i].owner} {{braces}}' }));
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.of('stopped').length, 0);
  assert.equal(log.output('console'), [1, 2, 3, 4, 5].map((i) => `i=${i} owner=user${i} {braces}\n`).join(''));
  const first = log.of('output').find((e) => (e as P.OutputEvent).body.category === 'console') as P.OutputEvent;
  assert.equal(first.body.source?.path, accounts);
  assert.equal(first.body.line, 19);
  assert.equal(log.output('stdout'), 'total\t165\n');
});

test('function breakpoints stop on entry with reason "function breakpoint", with conditions; unknown names are unverified', async (t) => {
  const dc = await startAdapter(t);
  let bps: P.Breakpoint[] = [];
  const log = await launch(dc, { program: accounts }, async () => {
    bps = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'Account:deposit' }, { name: 'nosuch' }] })).body.breakpoints;
  });
  // No function is known before the script loads: both wait, and loading verifies the one that exists.
  assert.deepEqual(bps.map((b) => b.verified), [false, false]);
  assert.match(bps[1].message ?? '', /pending: no loaded function is named nosuch/);
  const s = await log.stopped();
  const changed = log.of('breakpoint').map((e) => (e as P.BreakpointEvent).body.breakpoint);
  assert.deepEqual(changed.map((b) => [b.id, b.verified, b.line, b.source?.path]), [[bps[0].id, true, 11, accounts]]);
  assert.equal(s.body.reason, 'function breakpoint');
  assert.deepEqual(s.body.hitBreakpointIds, [bps[0].id]);
  assert.equal(await where(dc), 'Account:deposit:12');
  assert.equal((await locals(dc)).v, '1');

  const [total, cond] = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'total' }, { name: 'Account:deposit', condition: 'v == 3' }] })).body.breakpoints;
  const s2 = await resumeAndStop(dc, log, 'continue');
  assert.deepEqual(s2.body.hitBreakpointIds, [cond.id]);
  assert.equal((await locals(dc)).v, '3');
  const s3 = await resumeAndStop(dc, log, 'continue');
  assert.deepEqual(s3.body.hitBreakpointIds, [total.id]);
  assert.equal(await where(dc), 'total:17');

  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
});

test('breakpointLocations lists the lines of a range that can hold a breakpoint', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: accounts, stopOnEntry: true });
  await log.stopped();
  const range = await dc.customRequest('breakpointLocations', { source: { path: accounts }, line: 15, endLine: 22 });
  assert.deepEqual((range.body as P.BreakpointLocationsResponse['body']).breakpoints.map((b) => b.line), [17, 18, 19, 21, 22]);
  const one = await dc.customRequest('breakpointLocations', { source: { path: accounts }, line: 12 });
  assert.deepEqual((one.body as P.BreakpointLocationsResponse['body']).breakpoints, [{ line: 12 }]);
  const blank = await dc.customRequest('breakpointLocations', { source: { path: accounts }, line: 10 });
  assert.deepEqual((blank.body as P.BreakpointLocationsResponse['body']).breakpoints, []);
});

test('breakpoints set while the script runs take effect at once', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: loop });
  await log.outputMatching('stdout', /ready\n/);
  const [bp] = (await dc.setBreakpointsRequest({ source: { path: loop }, breakpoints: [{ line: 4, condition: 'n >= 1000' }] })).body.breakpoints;
  assert.equal(bp.verified, true);
  const s = await log.stopped();
  assert.equal(s.body.reason, 'breakpoint');
  assert.deepEqual(s.body.hitBreakpointIds, [bp.id]);
  assert.equal(await where(dc), 'main chunk:4');
  assert.ok(Number((await locals(dc)).n) >= 1000);
});

test('a breakpoint in a file that does not exist yet is pending, then a breakpoint event verifies it when the file loads', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-dap-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const late = path.join(dir, 'late.lua');
  const dc = await startAdapter(t);
  let bp: P.Breakpoint | undefined;
  const log = await launch(dc, { program: debugFixture('writes-module.lua'), args: [late] }, async () => {
    [bp] = (await dc.setBreakpointsRequest({ source: { path: late }, breakpoints: [{ line: 3 }] })).body.breakpoints;
  });
  assert.equal(bp?.verified, false);
  assert.match(bp?.message ?? '', /pending/);
  const s = await log.stopped();
  assert.deepEqual(s.body.hitBreakpointIds, [bp!.id]);
  assert.equal(await where(dc), 'main chunk:3');
  const changed = log.of('breakpoint').map((e) => (e as P.BreakpointEvent).body);
  assert.deepEqual(changed.map((c) => [c.reason, c.breakpoint.id, c.breakpoint.verified, c.breakpoint.line]), [['changed', bp!.id, true, 3]]);
  const loaded = log.of('loadedSource').map((e) => (e as P.LoadedSourceEvent).body);
  assert.ok(loaded.some((l) => l.reason === 'new' && l.source.path === late), 'the new file is announced');
});

test('breakpoints set before launch are pending, then verified by breakpoint events with the same ids', async (t) => {
  const dc = await startAdapter(t);
  await dc.initializeRequest();
  const [early] = (await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [{ line: 3 }] })).body.breakpoints;
  assert.equal(early.verified, false);
  assert.equal(typeof early.id, 'number', 'the client gets an id to match later events with');
  const log = new EventLog(dc);
  await dc.launchRequest({ program: accounts } as P.LaunchRequestArguments);
  await log.next('initialized');
  await dc.configurationDoneRequest();
  const changed = (await log.next<P.BreakpointEvent>('breakpoint')).body.breakpoint;
  assert.deepEqual([changed.id, changed.verified, changed.line], [early.id, true, 4]);
  const s = await log.stopped();
  assert.deepEqual(s.body.hitBreakpointIds, [early.id]);
});
