// `llmspell dap --port 0`: a TCP server where every connection is a session. Bad input never
// kills it: a request it can answer gets an error response and the session goes on; bytes no
// response can answer (a garbage header, a wrong Content-Length, invalid JSON) are logged, the
// client is told why, and that connection alone is closed. Other sessions go on, and the
// server keeps serving after sessions end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { breakpointsAt, connectClient, debugFixture, launch, locals, RawDap, spawnServer, within, type T } from './dap-client.js';

const accounts = debugFixture('accounts.lua');
const loop = debugFixture('loop.lua');

/** A whole session on a fresh connection: stop at a breakpoint, look, run to the end. */
async function debugAccounts(t: T, port: number): Promise<void> {
  const dc = await connectClient(t, port);
  const log = await within(launch(dc, { program: accounts }, breakpointsAt(accounts, 12)), 'launch over TCP');
  assert.equal((await log.stopped()).body.reason, 'breakpoint');
  assert.equal((await locals(dc)).v, '1');
  await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [] });
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.output('stdout'), 'total\t165\n');
  await within(dc.disconnectRequest({}), 'disconnect');
}

test('each connection is a session, one after another and side by side; the server outlives them', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  assert.match(server.stdout(), /^DAP server listening on port \d+\n$/);
  await debugAccounts(t, server.port);
  await debugAccounts(t, server.port);
  await Promise.all([debugAccounts(t, server.port), debugAccounts(t, server.port)]);
  assert.equal(server.proc.exitCode, null, 'still serving');
});

test('requests it can answer get error responses, and the session goes on', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  const raw = await RawDap.connect(t, server.port);
  const failure = async (seq: number, pattern: RegExp): Promise<void> => {
    const res = await raw.response(seq);
    assert.equal(res.success, false, `request ${seq} fails`);
    assert.match(res.message ?? '', pattern);
    assert.match((res.body as { error: { format: string } }).error.format, pattern, 'the error also comes as a DAP Message');
  };
  await failure(raw.request('threads'), /'threads' before 'initialize': send 'initialize' first/);
  const init = await raw.response(raw.request('initialize', { adapterID: 'raw' }));
  assert.equal(init.success, true);
  await failure(raw.request('frobnicate'), /unknown request 'frobnicate'/);
  await failure(raw.request('launch', 5), /'launch': arguments must be an object/);
  await failure(raw.request('launch', { program: 42 }), /'launch': argument 'program' must be a string/);
  await failure(raw.request('launch', { program: accounts, env: { A: 1 } }), /'env' must map names to strings/);
  await failure(raw.request('setBreakpoints', { source: { path: accounts }, breakpoints: 'line 12' }), /'breakpoints' must be an array/);
  await failure(raw.request('setBreakpoints', { source: 'accounts.lua' }), /'source' must be an object/);
  await failure(raw.request('stackTrace', { threadId: '1' }), /'threadId' must be a number/);
  await failure(raw.request('variables', { variablesReference: 1, start: -1 }), /'start' must be a whole number/);
  await failure(raw.request('evaluate', { expression: ['1'] }), /'expression' must be a string/);
  await failure(raw.request('continue', { threadId: 'main' }), /'threadId' must be a number/);
  await failure(raw.request('setExceptionBreakpoints', { filters: [], filterOptions: 'all' }), /'filterOptions' must be an array/);
  // A message with a seq but no command, or not a request, is still answered by its seq.
  raw.frame(JSON.stringify({ seq: 50, type: 'request' }));
  await failure(50, /request 50 has no command/);
  raw.frame(JSON.stringify({ seq: 51, type: 'event', event: 'stopped' }));
  await failure(51, /has type "event": a client sends type "request"/);

  // The same connection still debugs a script.
  const launched = await raw.response(raw.request('launch', { program: accounts }));
  assert.equal(launched.success, true);
  await raw.next((m) => m.type === 'event' && m.event === 'initialized', "the 'initialized' event");
  const order = raw.received().map((m) => (m.type === 'event' ? m.event : `${m.command} response`));
  assert.ok(order.indexOf('launch response') < order.indexOf('initialized'), `events a request causes follow its response: ${order.join(', ')}`);
  assert.equal((await raw.response(raw.request('configurationDone'))).success, true);
  const exited = await raw.next((m) => m.type === 'event' && m.event === 'exited', "the 'exited' event");
  assert.deepEqual(exited.body, { exitCode: 0 });
  assert.equal(raw.isClosed, false);
});

test('bytes no response can answer close that connection with a logged error; other sessions go on', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  // A session that lives through all of this, stopped at a breakpoint.
  const bystander = await connectClient(t, server.port);
  const bystanderLog = await launch(bystander, { program: accounts }, breakpointsAt(accounts, 12));
  await bystanderLog.stopped();

  const initialize = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'raw' } });
  const threads = JSON.stringify({ seq: 2, type: 'request', command: 'threads' });
  const cases: [string, (raw: RawDap) => void, RegExp][] = [
    ['a header without Content-Length', (raw) => raw.write(`Content-Type: application/json\r\n\r\n${initialize}`), /bad DAP header "Content-Type: application\/json": expected Content-Length: N/],
    ['a Content-Length that is not a number', (raw) => raw.write(`Content-Length: many\r\n\r\n${initialize}`), /bad DAP header/],
    ['garbage instead of a header', (raw) => raw.write('\x00\x01hello\r\n\r\n'), /bad DAP header/],
    ['a Content-Length too short', (raw) => raw.write(`Content-Length: ${initialize.length - 10}\r\n\r\n${initialize}`), /invalid JSON in a DAP message of \d+ bytes \(is its Content-Length right\?\)/],
    // Too long: the frame swallows the start of the next request, which is not answered either.
    ['a Content-Length too long', (raw) => { raw.write(`Content-Length: ${initialize.length + 20}\r\n\r\n${initialize}`); raw.frame(threads); }, /invalid JSON/],
    ['invalid JSON', (raw) => raw.frame('{"seq": 1, "type": "request", "command": initialize}'), /invalid JSON/],
    ['JSON that is not a message', (raw) => raw.frame('[1, 2, 3]'), /needs type "request", a numeric seq and a command/],
    ['a request without seq', (raw) => raw.frame('{"type": "request", "command": "initialize"}'), /numeric seq/],
  ];
  for (const [what, send, pattern] of cases) {
    await t.test(what, async () => {
      const raw = await RawDap.connect(t, server.port);
      send(raw);
      await within(raw.closed, `the server to close the connection after ${what}`);
      const told = raw.received().filter((m) => m.type === 'event' && m.event === 'output');
      assert.equal(told.length, 1, 'one output event says why');
      assert.match((told[0].body as P.OutputEvent['body']).output, pattern);
      assert.match((told[0].body as P.OutputEvent['body']).output, /closing the connection/);
      assert.equal(raw.received().filter((m) => m.type === 'response').length, 0, 'nothing was answered');
    });
  }
  // Each problem is in the server's log (JSON lines on stderr).
  const logged = server.stderr().split('\n').filter((l) => l.includes('(closing the connection)'));
  assert.equal(logged.length, cases.length);
  for (const phrase of ['bad DAP header', 'invalid JSON in a DAP message', 'a numeric seq']) assert.ok(logged.some((l) => l.includes(phrase)), phrase);

  // A client that vanishes in the middle of a session takes only its own script with it.
  const vanishing = await RawDap.connect(t, server.port);
  vanishing.request('initialize', { adapterID: 'raw' });
  vanishing.request('launch', { program: loop });
  await vanishing.next((m) => m.event === 'initialized', "the 'initialized' event");
  vanishing.request('configurationDone');
  await vanishing.next((m) => m.event === 'output', 'the script to run');
  vanishing.destroy();

  // The bystander's session never noticed; a new session works; the server still serves.
  assert.equal((await locals(bystander)).v, '1');
  await bystander.continueRequest({ threadId: 1 });
  assert.equal((await bystanderLog.stopped()).body.reason, 'breakpoint');
  assert.equal((await locals(bystander)).v, '2');
  await bystander.terminateRequest();
  assert.equal((await bystanderLog.next<P.ExitedEvent>('exited')).body.exitCode, 130);
  await debugAccounts(t, server.port);
  assert.equal(server.proc.exitCode, null);
  assert.doesNotMatch(server.stderr(), /internal error|TypeError|at .*\.js:\d+/, 'no Node stack traces');
});

test('the server stops cleanly on SIGTERM, ending the scripts of its sessions', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  const dc = await connectClient(t, server.port);
  const log = await launch(dc, { program: loop });
  await log.outputMatching('stdout', /ready\n/);
  server.proc.kill('SIGTERM');
  assert.equal(await within(server.exited, 'the server to exit'), 0);
});
