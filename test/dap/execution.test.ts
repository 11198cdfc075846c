// `llmspell dap` over stdio, driven by VS Code's DebugClient: launch arguments, the script's
// streams, stop on entry, stepping, pause, restart, terminate and disconnect, with the events
// each one brings (initialized, thread, stopped, continued, output, exited, terminated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { adapterProcess, breakpointsAt, debugFixture, delay, launch, locals, resumeAndStop, startAdapter, where, within } from './dap-client.js';

const accounts = debugFixture('accounts.lua');
const steps = debugFixture('steps.lua');
const loop = debugFixture('loop.lua');
const launchEnv = debugFixture('launch-env.lua');
const modulesDir = debugFixture('modules');

/** The events that frame a session, in the order they came. */
const lifecycle = (names: string[]): string[] => names.filter((n) => ['initialized', 'thread', 'exited', 'terminated'].includes(n));

test('launch passes program, args, cwd and env; stdout and stderr become output events; exited carries the exit code', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: launchEnv, args: ['one', '3'], cwd: modulesDir, env: { LLMSPELL_DAP_TEST: 'from launch' } });
  const exited = await log.next<P.ExitedEvent>('exited');
  assert.equal(exited.body.exitCode, 3, 'os.exit(3) is the exit code');
  await log.next('terminated');
  assert.equal(log.output('stdout'), 'args\t2\tone\t3\ncwd\ttrue\nenv\tfrom launch\nstdin\teof\t0\n');
  assert.equal(log.output('stderr'), 'warning on stderr\n');
  assert.deepEqual(lifecycle(log.names()), ['initialized', 'thread', 'thread', 'exited', 'terminated']);
  assert.deepEqual(log.of('thread').map((e) => (e as P.ThreadEvent).body), [{ reason: 'started', threadId: 1 }, { reason: 'exited', threadId: 1 }]);
});

test('on stdio the script never reads the DAP stream: io.read sees end of input while requests flow', async (t) => {
  const dc = await startAdapter(t);
  // Stop just before the reads, then resume with more requests queued behind the continue:
  // if the script read fd 0 it would swallow them and they would never be answered.
  const log = await launch(dc, { program: launchEnv }, breakpointsAt(launchEnv, 8));
  assert.equal((await log.stopped()).body.reason, 'breakpoint');
  const answered = await within(Promise.all([
    dc.continueRequest({ threadId: 1 }),
    dc.threadsRequest(), dc.threadsRequest(), dc.threadsRequest(),
  ]), 'responses to requests sent while the script reads stdin');
  assert.equal(answered.length, 4);
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.match(log.output('stdout'), /stdin\teof\t0\n$/);
});

test('stopOnEntry stops at the first line; threads names the script; continue brings continued, then the end', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: steps, stopOnEntry: true });
  const entry = await log.stopped();
  assert.equal(entry.body.reason, 'entry');
  assert.equal(entry.body.threadId, 1);
  assert.equal(entry.body.allThreadsStopped, true);
  assert.equal(await where(dc), 'main chunk:4');
  assert.deepEqual((await dc.threadsRequest()).body.threads, [{ id: 1, name: 'steps.lua' }]);
  const res = await dc.continueRequest({ threadId: 1 });
  assert.equal(res.body.allThreadsContinued, true);
  assert.deepEqual((await log.next<P.ContinuedEvent>('continued')).body, { threadId: 1, allThreadsContinued: true });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  await log.next('terminated');
  assert.equal(log.output('stdout'), '5\t6\n');
  assert.deepEqual((await dc.threadsRequest()).body.threads, [], 'no threads once the script ended');
});

test('noDebug runs the script to its end without stopping at breakpoints', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: accounts, noDebug: true, stopOnEntry: true }, breakpointsAt(accounts, 12));
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.output('stdout'), 'total\t165\n');
  assert.equal(log.of('stopped').length, 0);
});

test('next, stepIn and stepOut follow calls and returns; each stop has reason step', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: steps }, breakpointsAt(steps, 12));
  assert.equal((await log.stopped()).body.reason, 'breakpoint');
  assert.equal(await where(dc), 'main chunk:12');
  const path: string[] = [];
  for (const how of ['stepIn', 'stepIn', 'stepOut', 'next', 'stepOut', 'next'] as const) {
    const s = await resumeAndStop(dc, log, how);
    assert.equal(s.body.reason, 'step', `${how} stops with reason step`);
    path.push(`${how} → ${await where(dc)}`);
  }
  assert.deepEqual(path, [
    'stepIn → outer:7',
    'stepIn → inner:2',
    'stepOut → outer:8',
    'next → outer:9',
    'stepOut → main chunk:13',
    'next → main chunk:14',
  ]);
  assert.equal((await locals(dc)).r, '5');
  assert.equal(log.of('continued').length, 6, 'every resume is announced');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
});

test('pause stops an endless loop, twice; terminate ends it with exited and terminated', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: loop });
  await log.outputMatching('stdout', /ready\n/);
  let n = -1;
  for (let round = 0; round < 2; round++) {
    await delay(50);
    const t0 = Date.now();
    await dc.pauseRequest({ threadId: 1 });
    const s = await log.stopped();
    assert.equal(s.body.reason, 'pause');
    assert.ok(Date.now() - t0 < 2000, `pause landed in ${Date.now() - t0} ms`);
    assert.match(await where(dc), /^main chunk:[2-5]$/);
    const now = Number((await locals(dc)).n ?? 0);
    assert.ok(now > n, `the loop runs between pauses (n: ${n} then ${now})`);
    n = now;
    await dc.continueRequest({ threadId: 1 });
    await log.next('continued');
  }
  await dc.terminateRequest();
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 130);
  await log.next('terminated');
});

test('restart runs the script again from the start with the same breakpoints', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: accounts }, breakpointsAt(accounts, 12));
  await log.stopped();
  assert.equal((await locals(dc)).v, '1');
  await resumeAndStop(dc, log, 'continue');
  assert.equal((await locals(dc)).v, '2');
  await dc.restartRequest({});
  const again = await log.stopped();
  assert.equal(again.body.reason, 'breakpoint');
  assert.equal((await locals(dc)).v, '1', 'the new run starts over');
  assert.equal(log.of('exited').length, 0, 'the old run ends quietly');
  // A restart may also change the launch configuration.
  await dc.restartRequest({ arguments: { program: steps, stopOnEntry: true } } as P.RestartArguments);
  assert.equal((await log.stopped()).body.reason, 'entry');
  assert.equal(await where(dc), 'main chunk:4');
  assert.equal(log.output('stdout'), '', 'no run got as far as printing');
});

test('terminate ends a stopped script; disconnect then ends the adapter', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: accounts }, breakpointsAt(accounts, 12));
  await log.stopped();
  await dc.terminateRequest();
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 130);
  await log.next('terminated');
  const proc = adapterProcess(dc)!;
  const gone = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await dc.disconnectRequest({});
  assert.equal(await within(gone, 'the adapter to exit after disconnect'), 0);
});

test('disconnect while the script runs ends a launched script and the adapter', async (t) => {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: loop });
  await log.outputMatching('stdout', /ready\n/);
  const proc = adapterProcess(dc)!;
  const gone = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await dc.disconnectRequest({ terminateDebuggee: true });
  assert.equal(await within(gone, 'the adapter to exit after disconnect'), 0);
});
