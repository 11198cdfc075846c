// Shared breakpoints on real daemons: `kernel breakpoint ID set|clear|list` and `fleet debug
// set-breakpoint|clear-breakpoint`. They reach each kernel on its dap_port with its key, every
// attached DAP client hears `breakpoint` events as they change, and a stop on one names it in
// hitBreakpointIds. `fleet list` shows them from the kernels' status files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { fixture, RawDap } from '../dap/dap-client.js';
import { JupyterTestClient } from '../kernel/harness.js';
import { asKernel, attachDirect, execute, listedWhen } from './daemon-clients.js';
import { cli, deadPid, startDaemon, tempRuntimeDir } from './helpers.js';

const tally = fixture('kernel', 'tally.lua');
const CELL = `print('tally', dofile(${JSON.stringify(tally)}).tally(3))`;
const rel = path.relative(process.cwd(), tally);

test('kernel breakpoint set/list/clear: clients hear of it, a cell stops on it and names it, clear removes it', async (t) => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'bp']);
  const a = await attachDirect(t, d);
  const j = await JupyterTestClient.connect(t, asKernel(d).info);

  const set = await cli(dir, ['kernel', 'breakpoint', 'bp', 'set', `${rel}:6`, '--condition', 'i == 2'], { cwd: process.cwd() });
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, `Kernel bp: shared breakpoint ${tally}:6 if i == 2\n`);
  const announced = await a.log.next<P.BreakpointEvent>('breakpoint');
  assert.equal(announced.body.reason, 'new');
  assert.equal(announced.body.breakpoint.source?.path, tally);
  const sharedId = announced.body.breakpoint.id!;
  assert.ok(sharedId >= 1_000_000, `shared ids stay clear of the client's own (${sharedId})`);

  const list = await cli(dir, ['kernel', 'breakpoint', 'bp', 'list', '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as { breakpoints: { id: number; source: string; line: number; condition: string }[] }).breakpoints.map((b) => [b.id, b.source, b.line, b.condition]), [[sharedId, tally, 6, 'i == 2']]);
  assert.deepEqual((await listedWhen(dir, 'bp', 'the shared breakpoint', (k) => (k.shared_breakpoints?.length ?? 0) === 1)).shared_breakpoints, [{ source: tally, line: 6, condition: 'i == 2' }]);

  // A cell stops on it (with the condition), and the client is told which one it was.
  const exec = execute(j, CELL);
  const stop = await a.log.stopped();
  assert.equal(stop.body.reason, 'breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [sharedId]);
  const vars = await a.dc.evaluateRequest({ expression: 'i', frameId: (await a.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id, context: 'repl' });
  assert.equal(vars.body.result, '2');
  // Cleared while stopped: the client hears it go; the cell runs to its end.
  const clear = await cli(dir, ['kernel', 'breakpoint', 'bp', 'clear', `${tally}:6`]);
  assert.equal(clear.stdout, `Kernel bp: shared breakpoint at ${tally}:6 cleared\n`);
  const gone = await a.log.until(() => a.log.of('breakpoint').map((e) => e as P.BreakpointEvent).find((e) => e.body.reason === 'removed' && e.body.breakpoint.id === sharedId), 'the removed event');
  assert.equal(gone.body.breakpoint.id, sharedId);
  await a.dc.continueRequest({ threadId: 1 });
  assert.equal((await j.finished(exec)).content.status, 'ok');
  assert.equal(j.streamOf(exec), 'tally\t6\n');
  assert.equal((await cli(dir, ['kernel', 'breakpoint', 'bp', 'list'])).stdout, 'Kernel bp has no shared breakpoints.\n');

  // A client that attaches later hears of the shared breakpoints there are.
  await cli(dir, ['kernel', 'breakpoint', 'bp', 'set', `${tally}:8`]);
  const late = await attachDirect(t, d);
  const told = await late.log.next<P.BreakpointEvent>('breakpoint');
  assert.deepEqual([told.body.reason, told.body.breakpoint.line, told.body.breakpoint.verified], ['new', 8, true]);
});

test('kernel breakpoint: bad input is named; the request needs the key', async (t) => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'bad']);
  const cases: [string[], number, RegExp][] = [
    [['kernel', 'breakpoint', 'bad', 'set', 'nope.lua:3'], 1, /'nope\.lua:3': no file .*nope\.lua/],
    [['kernel', 'breakpoint', 'bad', 'set', `${tally}`], 1, /is not FILE:LINE/],
    [['kernel', 'breakpoint', 'bad', 'set', `${tally}:0`], 1, /lines start at 1/],
    [['kernel', 'breakpoint', 'bad', 'clear', `${tally}:3`], 1, /kernel bad has no shared breakpoint at .*tally\.lua:3/],
    [['kernel', 'breakpoint', 'bad', 'toggle', `${tally}:3`], 2, /unknown action 'toggle': use set, clear or list/],
    [['kernel', 'breakpoint', 'bad', 'set'], 2, /set needs FILE:LINE/],
    [['kernel', 'breakpoint', 'nope', 'list'], 1, /no kernel 'nope'/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(dir, args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  // Straight on dap_port: no token, a wrong one, bad arguments.
  const info = asKernel(d).info;
  const raw = await RawDap.connect(t, info.dap_port);
  const refused = await raw.response(raw.request('llmspell/sharedBreakpoints', { action: 'list' }));
  assert.equal(refused.success, false);
  assert.match(refused.message ?? '', /refused: no token/);
  const wrong = await raw.response(raw.request('llmspell/sharedBreakpoints', { action: 'list', token: 'x' }));
  assert.match(wrong.message ?? '', /refused: wrong token/);
  const badLine = await raw.response(raw.request('llmspell/sharedBreakpoints', { action: 'set', source: tally, line: 'six', token: info.key }));
  assert.match(badLine.message ?? '', /line must be a line number/);
  const relative = await raw.response(raw.request('llmspell/sharedBreakpoints', { action: 'set', source: 'tally.lua', line: 2 }));
  assert.match(relative.message ?? '', /source must be an absolute path/);
  const ok = await raw.response(raw.request('llmspell/sharedBreakpoints', { action: 'list' }));
  assert.deepEqual([ok.success, (ok.body as { breakpoints: unknown[] }).breakpoints], [true, []]);
});

test('fleet: set-breakpoint --all reaches every live kernel, a stale one fails alone; fleet list shows them; clear-breakpoint --kernel', async () => {
  const dir = tempRuntimeDir();
  const [k1, k2] = await Promise.all([startDaemon(dir, ['--id', 'k1']), startDaemon(dir, ['--id', 'k2'])]);
  assert.ok(k1 && k2);
  const ghost = await deadPid();
  fs.writeFileSync(path.join(dir, 'kernel-ghost.json'), JSON.stringify({ transport: 'tcp', ip: '127.0.0.1', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, dap_port: 6, key: 'k', signature_scheme: 'hmac-sha256', kernel_id: 'ghost', pid: ghost }));

  const set = await cli(dir, ['fleet', 'debug', 'set-breakpoint', '--all', `${tally}:6`, '--condition', 'i > 1']);
  assert.equal(set.code, 1, 'one kernel failed');
  assert.equal(set.stdout, [
    'ghost:  failed: not running (stale connection file)',
    `k1:     set at ${tally}:6 if i > 1`,
    `k2:     set at ${tally}:6 if i > 1`,
  ].join('\n') + '\n');
  for (const id of ['k1', 'k2']) await listedWhen(dir, id, 'the shared breakpoint', (k) => k.shared_breakpoints?.length === 1);
  const list = await cli(dir, ['fleet', 'list']);
  assert.match(list.stdout, /^ID\s+PID\s+STATE\s+RUNTIME\s+CLIENTS\s+SHARED\s+DAP$/m);
  assert.match(list.stdout, /^ghost\s+\d+\s+stale\s+-\s+-\s+-\s+6$/m);
  assert.match(list.stdout, /^k1\s+\d+\s+alive\s+idle\s+0\s+1\s+\d+$/m);
  assert.match(list.stdout, /^k2\s+\d+\s+alive\s+idle\s+0\s+1\s+\d+$/m);
  assert.match(list.stdout, /1 stale or unreadable connection file/);

  const clear = await cli(dir, ['fleet', 'debug', 'clear-breakpoint', '--kernel', 'k2', `${tally}:6`]);
  assert.equal(clear.code, 0, clear.stderr);
  assert.equal(clear.stdout, `k2:  cleared at ${tally}:6\n`);
  assert.equal((await cli(dir, ['kernel', 'breakpoint', 'k2', 'list'])).stdout, 'Kernel k2 has no shared breakpoints.\n');
  assert.match((await cli(dir, ['kernel', 'breakpoint', 'k1', 'list'])).stdout, /tally\.lua:6 if i > 1/);
  const again = await cli(dir, ['fleet', 'debug', 'clear-breakpoint', '--kernel', 'k2', `${tally}:6`]);
  assert.equal(again.code, 1);
  assert.match(again.stdout, /^k2:  failed: no shared breakpoint at .*tally\.lua:6$/m);
  const neither = await cli(dir, ['fleet', 'debug', 'set-breakpoint', `${tally}:6`]);
  assert.equal(neither.code, 1);
  assert.match(neither.stderr, /say which kernels: --all, or --kernel ID/);
});
