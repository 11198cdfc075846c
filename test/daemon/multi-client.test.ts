// The "done when" on a real daemon (`kernel start --daemon`): two DAP clients (one on
// dap_port, one through a `llmspell dap` bridge process) and a Jupyter client with its
// debugger on one kernel. One sets a breakpoint, a cell runs, both DAP clients (and the
// Jupyter debugger) see the stop, the other continues and everyone sees it continue; then the
// bridge process is killed mid-stop: it is removed with its breakpoints and the cell goes on.
// `kernel list` counts the clients all along. (test/kernel/multi-client.test.ts covers the
// protocol details on a foreground kernel.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adapterProcess, fixture, locals } from '../dap/dap-client.js';
import { correlationOf } from '../kernel/harness.js';
import { attachDirect, attachThroughBridge, execute, jupyterWithDebugger, listedWhen } from './daemon-clients.js';
import { logLine, startDaemon, tempRuntimeDir } from './helpers.js';

const tally = fixture('kernel', 'tally.lua');
const LOOP_LINE = 6;
const RETURN_LINE = 8;
const CELL = `print('tally', dofile(${JSON.stringify(tally)}).tally(3))`;

test('a daemon with two DAP clients and a Jupyter client: one breakpoint stops the cell for all, another continues it, a killed client goes with its breakpoints', async (t) => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'multi']);
  assert.equal((await listedWhen(dir, 'multi', 'no clients', (k) => k.clients === 0)).runtime_state, 'idle');

  const j = await jupyterWithDebugger(t, d);
  const a = await attachDirect(t, d);
  const b = await attachThroughBridge(t, d);
  // One Jupyter connection (its debugger rides on it) and two DAP clients, one of them a bridge.
  const three = await listedWhen(dir, 'multi', 'three clients', (k) => k.clients === 3);
  assert.deepEqual(three.debuggers!.map((c) => c.kind).sort(), ['dap-stdio', 'dap-tcp', 'jupyter']);

  // A sets a breakpoint; the cell stops for everyone.
  const set = await a.dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [{ line: RETURN_LINE }] });
  const exec = execute(j, CELL);
  const [sa, sb] = await Promise.all([a.log.stopped(), b.log.stopped()]);
  const sj = await j.debugEvent('stopped');
  for (const s of [sa, sb, sj]) assert.equal((s.body as { reason: string }).reason, 'breakpoint');
  assert.deepEqual(sa.body.hitBreakpointIds, [set.body.breakpoints[0].id], "A is told it was its breakpoint");
  assert.equal(sb.body.hitBreakpointIds, undefined);
  assert.equal((await locals(b.dc)).total, '6', 'B inspects the stop');
  await listedWhen(dir, 'multi', 'the kernel stopped', (k) => k.runtime_state === 'stopped');

  // B (through its bridge) continues: A, B and the Jupyter debugger see it, caused by B's request.
  const cont = await b.dc.continueRequest({ threadId: 1 });
  const [ca, cb] = await Promise.all([a.log.next('continued'), b.log.next('continued')]);
  const cj = await j.debugEvent('continued');
  for (const c of [ca, cb, cj]) assert.equal(correlationOf(c), correlationOf(cont));
  assert.equal((await j.finished(exec)).content.status, 'ok');
  assert.equal(j.streamOf(exec), 'tally\t6\n');

  // B sets one in the loop and is killed at its stop: it goes, with its breakpoint; A's stays.
  await b.dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [{ line: LOOP_LINE }] });
  const exec2 = execute(j, CELL);
  const [sa2] = await Promise.all([a.log.stopped(), b.log.stopped()]);
  assert.equal(sa2.body.hitBreakpointIds, undefined, "B's breakpoint, not A's");
  adapterProcess(b.dc)!.kill('SIGKILL');
  const removed = await logLine(d.logFile, /debugger client removed/);
  assert.equal(removed.why, 'connection lost');
  assert.equal(removed.kind, 'dap-stdio');
  await listedWhen(dir, 'multi', 'two clients after the kill', (k) => k.clients === 2);
  // Still stopped for A, who continues: no stop in the loop again (B's breakpoint went), A's return line stops.
  assert.equal((await locals(a.dc)).i, '1');
  await a.dc.continueRequest({ threadId: 1 });
  const again = await a.log.stopped();
  assert.deepEqual(again.body.hitBreakpointIds, [set.body.breakpoints[0].id], 'stopped on A\'s breakpoint, after the loop');
  await a.dc.continueRequest({ threadId: 1 });
  assert.equal((await j.finished(exec2)).content.status, 'ok');
  assert.equal(j.streamOf(exec2), 'tally\t6\n');

  // A leaves too: the cell runs through, and the kernel counts only the Jupyter client.
  await a.dc.disconnectRequest({});
  const exec3 = execute(j, CELL);
  assert.equal((await j.finished(exec3)).content.status, 'ok');
  await listedWhen(dir, 'multi', 'one client', (k) => k.clients === 1);
});
