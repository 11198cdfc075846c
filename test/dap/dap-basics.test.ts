import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cli, fixture, startAdapter, within } from './dap-client.js';

const accounts = fixture('debug/accounts.lua');

test('initialize advertises our capabilities; launch brings the initialized event', async (t) => {
  const dc = await startAdapter(t);
  const res = await dc.initializeRequest();
  assert.equal(res.body?.supportsConfigurationDoneRequest, true);
  assert.equal(res.body?.supportsLogPoints, true);
  assert.deepEqual(res.body?.exceptionBreakpointFilters?.map((f) => f.filter), ['uncaught', 'all']);
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: accounts } as never);
  await initialized;
  const terminated = dc.waitForEvent('terminated');
  await dc.configurationDoneRequest();
  await terminated;
});

test('hit a breakpoint, inspect, step, continue to the end with the exit code', async (t) => {
  const dc = await startAdapter(t);
  await dc.hitBreakpoint({ program: accounts }, { path: accounts, line: 12 });
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.equal(st.body.stackFrames[0].name, 'Account:deposit');
  assert.equal(st.body.stackFrames[0].source?.path, accounts);
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
  assert.deepEqual(vars.body.variables.map((v) => v.name), ['self', 'v']);
  const ev = await dc.evaluateRequest({ expression: 'self.balance + v', frameId: st.body.stackFrames[0].id, context: 'watch' });
  assert.equal(ev.body.result, '11');
  await Promise.all([dc.nextRequest({ threadId: 1 }), dc.assertStoppedLocation('step', { path: accounts, line: 13 })]);
  await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [] });
  const exited = dc.waitForEvent('exited');
  const terminated = dc.waitForEvent('terminated');
  const output = dc.assertOutput('stdout', 'total\t165');
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await exited).body.exitCode, 0);
  await output;
  await terminated;
});

test('bad input gets error responses and the session goes on', async (t) => {
  const dc = await startAdapter(t);
  await assert.rejects(dc.customRequest('threads'), /before 'initialize'/);
  await dc.initializeRequest();
  await assert.rejects(dc.customRequest('frobnicate'), /unknown request 'frobnicate'/);
  await assert.rejects(dc.launch({ program: 42 }), /'launch': argument 'program' must be a string/);
  await assert.rejects(dc.launch({ program: '/no/such/file.lua' }), /program not found/);
  await assert.rejects(dc.stackTraceRequest({ threadId: 1 }), /no script is running/);
  const threads = await dc.threadsRequest();
  assert.deepEqual(threads.body.threads, []);
});

test('capabilities advertise exactly the requests served; the others are unknown requests', async (t) => {
  const dc = await startAdapter(t);
  const caps = (await dc.initializeRequest()).body!;
  const served: [string, boolean | undefined][] = [
    ['configurationDone', caps.supportsConfigurationDoneRequest], ['setFunctionBreakpoints', caps.supportsFunctionBreakpoints],
    ['setVariable', caps.supportsSetVariable], ['setExpression', caps.supportsSetExpression], ['completions', caps.supportsCompletionsRequest],
    ['restart', caps.supportsRestartRequest], ['exceptionInfo', caps.supportsExceptionInfoRequest], ['loadedSources', caps.supportsLoadedSourcesRequest],
    ['terminate', caps.supportsTerminateRequest], ['cancel', caps.supportsCancelRequest], ['breakpointLocations', caps.supportsBreakpointLocationsRequest],
    ['terminateThreads', caps.supportsTerminateThreadsRequest],
  ];
  for (const [command, advertised] of served) {
    assert.equal(advertised, true, `${command} is advertised`);
    await dc.customRequest(command, {}).catch((e: Error) => assert.doesNotMatch(e.message, /unknown request/, command));
  }
  const notServed: [string, boolean | undefined][] = [
    ['stepBack', caps.supportsStepBack], ['restartFrame', caps.supportsRestartFrame], ['gotoTargets', caps.supportsGotoTargetsRequest],
    ['stepInTargets', caps.supportsStepInTargetsRequest], ['modules', caps.supportsModulesRequest],
    ['dataBreakpointInfo', caps.supportsDataBreakpoints], ['readMemory', caps.supportsReadMemoryRequest], ['disassemble', caps.supportsDisassembleRequest],
  ];
  for (const [command, advertised] of notServed) {
    assert.notEqual(advertised, true, `${command} is not advertised`);
    await assert.rejects(dc.customRequest(command, {}), new RegExp(`unknown request '${command}'`));
  }
});

test('on stdio, bytes no response can answer end the one session: the adapter says why, logs it and exits', async (t) => {
  const proc = spawn(process.execPath, [cli, 'dap'], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => { proc.kill('SIGKILL'); });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.stdin.write('Content-Length: 12\r\n\r\n{"seq": 1, "');
  assert.equal(await within(exited, 'the adapter to exit'), 0);
  assert.match(out, /^Content-Length: \d+\r\n\r\n\{.*"event":"output".*invalid JSON in a DAP message.*closing the connection/);
  assert.match(err, /invalid JSON in a DAP message/);
});
