// One kernel, many debuggers: DAP clients on its dap_port and a Jupyter frontend (with its
// debugger attached over debug_request) see the same stops of the same cells. Each client's
// breakpoints are its own (the union is what stops the script) and each is told which of its
// breakpoints hit; events go to everyone, each tagged with the request that caused it;
// responses go to their sender alone. A client that vanishes takes its breakpoints with it,
// and a script stopped with nobody left to resume it goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { fixture, locals, RawDap } from '../dap/dap-client.js';
import { attachDap, correlationOf, JupyterTestClient, logLines, socketOf, startKernel, tempDir, within, type Kernel } from './harness.js';

const tally = fixture('kernel', 'tally.lua');
/** The line of tally.lua inside the loop. */
const TALLY_LOOP_LINE = 6;
const TALLY_CELL = `local tally = dofile(${JSON.stringify(tally)}).tally\nprint('tally', tally(3))`;
const CELL = ['local x = 40', 'local y = x + 2', "print('answer', y)"].join('\n');

function execute(j: JupyterTestClient, code: string): string {
  return j.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
}

async function startJupyterDebugger(j: JupyterTestClient): Promise<void> {
  const init = await j.debug('initialize', { clientID: 'test', adapterID: 'lua', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  assert.equal(init.success, true, JSON.stringify(init));
  const attach = await j.debug('attach', {});
  assert.equal(attach.success, true, JSON.stringify(attach));
  await j.debugEvent('initialized');
  assert.equal((await j.debug('configurationDone')).success, true);
}

/** Waits for a line in the kernel's log. */
async function logged(kernel: Kernel, pattern: RegExp, count = 1): Promise<Record<string, unknown>[]> {
  return within((async () => {
    for (;;) {
      const lines = logLines(kernel, pattern);
      if (lines.length >= count) return lines;
      await new Promise((r) => setTimeout(r, 20));
    }
  })(), `the kernel to log ${pattern}`);
}

test('two DAP clients and a Jupyter client: a breakpoint of one stops the cell for all; another continues; everyone sees it', async (t) => {
  const kernel = await startKernel(t, tempDir(t, 'llmspell-kernel-'));
  const j = await JupyterTestClient.connect(t, kernel.info);
  const a = await attachDap(t, kernel);
  const b = await attachDap(t, kernel);
  // A third DAP client by hand, to see every byte it is sent.
  const raw = await RawDap.connect(t, kernel.info.dap_port);
  const rawSeqs = [raw.request('initialize', { adapterID: 'raw' }), raw.request('attach', { token: kernel.info.key })];
  for (const seq of rawSeqs) assert.equal((await raw.response(seq)).success, true);
  await startJupyterDebugger(j);

  // The cell's file, as JupyterLab's debugger names it; A sets a breakpoint there.
  const cellFile = String((await j.debug('dumpCell', { code: CELL })).body.sourcePath);
  const set = await a.dc.setBreakpointsRequest({ source: { path: cellFile }, breakpoints: [{ line: 2 }] });
  const aBreakpoint = set.body.breakpoints[0].id;
  assert.ok(aBreakpoint !== undefined);
  assert.deepEqual((await b.dc.setBreakpointsRequest({ source: { path: cellFile }, breakpoints: [] })).body.breakpoints, [], "B's empty set leaves A's alone");

  const exec = execute(j, CELL);
  const [sa, sb] = await Promise.all([a.log.stopped(), b.log.stopped()]);
  const sj = await j.debugEvent('stopped');
  const sr = await raw.next((m) => m.type === 'event' && m.event === 'stopped', 'stopped on the raw client');
  for (const s of [sa, sb, sj, sr]) assert.equal((s.body as P.StoppedEvent['body']).reason, 'breakpoint');
  assert.deepEqual(sa.body.hitBreakpointIds, [aBreakpoint], 'A is told its breakpoint hit');
  assert.equal(sb.body.hitBreakpointIds, undefined, 'B set none: no ids it never heard of');
  assert.equal((sj.body as P.StoppedEvent['body']).hitBreakpointIds, undefined);
  for (const s of [sa, sb, sj, sr]) assert.equal(correlationOf(s), exec, "the stop is the execute_request's");

  // B looks at the stop: the cell's frame, its locals.
  const st = await b.dc.stackTraceRequest({ threadId: 1 });
  assert.equal(st.body.stackFrames[0].source?.path, cellFile);
  assert.equal(st.body.stackFrames[0].line, 2);
  assert.equal((await locals(b.dc)).x, '40');
  assert.equal(j.received.some((m) => m.msg.header.msg_type === 'execute_reply'), false, 'the cell is stopped: no reply yet');

  // B continues: everyone sees it continue, tagged with B's request; the cell ends.
  const cont = await b.dc.continueRequest({ threadId: 1 });
  const contId = correlationOf(cont);
  assert.match(String(contId), /^dap-\d+:\d+$/, 'the response names its correlation id');
  const [ca, cb] = await Promise.all([a.log.next('continued'), b.log.next('continued')]);
  const cj = await j.debugEvent('continued');
  const cr = await raw.next((m) => m.type === 'event' && m.event === 'continued', 'continued on the raw client');
  for (const c of [ca, cb, cj, cr]) assert.equal(correlationOf(c), contId);
  const reply = await j.finished(exec);
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(j.streamOf(exec), 'answer\t42\n');
  // The output reached every debugger too, caused by B's continue.
  for (const c of [a, b]) {
    await c.log.outputMatching('stdout', /answer\t42\n/);
    const out = c.log.of('output').find((e) => (e as P.OutputEvent).body.output.includes('answer'));
    assert.equal(correlationOf(out!), contId);
  }

  // Again, and this time the Jupyter debugger continues (its debug_request's msg_id is the cause).
  const exec2 = execute(j, CELL);
  await Promise.all([a.log.stopped(), b.log.stopped(), j.debugEvent('stopped', 2)]);
  const jc = await j.debug('continue', { threadId: 1 });
  assert.equal(jc.success, true);
  assert.equal(correlationOf(await a.log.next('continued')), jc.__msgId);
  assert.equal((await j.finished(exec2)).content.status, 'ok');

  // Responses went to their senders only: the raw client got answers to its own requests alone.
  const responses = raw.received().filter((m) => m.type === 'response');
  assert.deepEqual(responses.map((r) => r.request_seq), rawSeqs);
  assert.ok(raw.received().every((m) => m.type !== 'event' || typeof (m.body as Record<string, unknown>)?.__correlation === 'string'), 'every event carries a correlation id');

  // Breakpoints are per client: A clears its own and the cell runs through.
  await a.dc.setBreakpointsRequest({ source: { path: cellFile }, breakpoints: [] });
  const exec3 = execute(j, CELL);
  assert.equal((await j.finished(exec3)).content.status, 'ok');
  assert.equal(a.log.of('stopped').length, 2);
});

test('a client killed mid-stop is removed with its breakpoints; with no debugger left the script goes on', async (t) => {
  const kernel = await startKernel(t, tempDir(t, 'llmspell-kernel-'));
  const j = await JupyterTestClient.connect(t, kernel.info);
  const a = await attachDap(t, kernel);
  const b = await attachDap(t, kernel);
  // A breakpoint in a file the cell loads with dofile.
  await a.dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [{ line: TALLY_LOOP_LINE }] });
  const exec = execute(j, TALLY_CELL);
  const [sa] = await Promise.all([a.log.stopped(), b.log.stopped()]);
  assert.equal(sa.body.reason, 'breakpoint');
  const top = (await b.dc.stackTraceRequest({ threadId: 1, levels: 1 })).body.stackFrames[0];
  assert.equal(top.source?.path, tally);
  assert.equal(top.line, TALLY_LOOP_LINE);

  // A dies without a word. B is still attached, so the script waits for B.
  socketOf(a.dc).destroy();
  const removed = await logged(kernel, /debugger client removed/);
  assert.equal(removed[0].why, 'connection lost');
  assert.equal((await locals(b.dc)).i, '1', 'still stopped, for B');
  // A's breakpoint went with it: B's continue runs the loop to its end.
  await b.dc.continueRequest({ threadId: 1 });
  assert.equal((await j.finished(exec)).content.status, 'ok');
  assert.equal(j.streamOf(exec), 'tally\t6\n');
  assert.equal(b.log.of('stopped').length, 1, 'no second stop: the breakpoint was gone');

  // B alone sets one, and dies at the stop: nobody is left to resume, so the cell goes on.
  await b.dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [{ line: TALLY_LOOP_LINE }] });
  const exec2 = execute(j, TALLY_CELL);
  await b.log.stopped();
  socketOf(b.dc).destroy();
  const reply = await j.finished(exec2);
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(j.streamOf(exec2), 'tally\t6\n', 'ran to its end: the breakpoint went with B');
  await logged(kernel, /no debugger left: the stopped script goes on/);
  assert.equal(kernel.proc.exitCode, null, 'the kernel goes on');
});

test('dap_port answers only initialize until attach brings the key; wrong keys are refused, logged and rate-limited', async (t) => {
  const kernel = await startKernel(t, tempDir(t, 'llmspell-kernel-'));
  const raw = await RawDap.connect(t, kernel.info.dap_port);
  const refused = async (seq: number, pattern: RegExp): Promise<void> => {
    const r = await raw.response(seq);
    assert.equal(r.success, false, `request ${seq} is refused`);
    assert.match(r.message ?? '', pattern);
  };
  assert.equal((await raw.response(raw.request('initialize', { adapterID: 'raw' }))).success, true);
  await refused(raw.request('threads'), /'threads' needs an authenticated client: send 'attach' with the kernel's key/);
  await refused(raw.request('attach', { token: 'not the key' }), /'attach' refused: wrong token/);
  await refused(raw.request('attach', {}), /'attach' refused: no token/);
  await refused(raw.request('setBreakpoints', { source: { path: tally }, breakpoints: [{ line: 1 }] }), /needs an authenticated client/);
  const started = Date.now();
  await refused(raw.request('attach', { token: kernel.info.key.toUpperCase() }), /wrong token/);
  assert.ok(Date.now() - started >= 50, 'failed attaches back off');
  // Five refusals: the connection is closed, saying why.
  await within(raw.closed, 'the kernel to close the connection after 5 refusals');
  const said = raw.received().filter((m) => m.type === 'event' && m.event === 'output').map((m) => (m.body as { output: string }).output).join('');
  assert.match(said, /5 requests refused for lack of authentication; closing the connection/);
  assert.equal(raw.received().filter((m) => m.type === 'event' && m.event !== 'output').length, 0, 'no events before authentication');

  // Each refusal is in the log.
  const warnings = logLines(kernel, /^DAP /).filter((l) => l.level === 'warn');
  assert.equal(warnings.filter((w) => /attach refused: wrong token/.test(String(w.msg))).length, 2);
  assert.equal(warnings.filter((w) => /attach refused: no token/.test(String(w.msg))).length, 1);
  assert.ok(warnings.some((w) => /closed after 5 refused requests/.test(String(w.msg))));
  assert.ok(warnings.every((w) => typeof w.remote === 'string'), 'with the peer address');

  // The right key still gets in, and the kernel was never at risk.
  const ok = await attachDap(t, kernel);
  assert.deepEqual((await ok.dc.threadsRequest()).body.threads.map((th) => th.id), [1]);
});

test('terminate stops the running cell, not the kernel; disconnect with terminateDebuggee leaves it running; shutdown tells every client', async (t) => {
  const kernel = await startKernel(t, tempDir(t, 'llmspell-kernel-'));
  const j = await JupyterTestClient.connect(t, kernel.info);
  const a = await attachDap(t, kernel);
  const b = await attachDap(t, kernel);

  const spin = execute(j, "print('spinning')\nlocal n = 0\nwhile true do n = n + 1 end");
  await j.next(() => j.streamOf(spin) === 'spinning\n', 'the cell to run');
  await a.dc.pauseRequest({ threadId: 1 });
  const paused = await a.log.stopped();
  assert.equal(paused.body.reason, 'pause');
  await a.dc.terminateRequest();
  const reply = await j.finished(spin);
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'Interrupted');

  await a.dc.disconnectRequest({ terminateDebuggee: true });
  const after = execute(j, 'print(6 * 7)');
  assert.equal((await j.finished(after)).content.status, 'ok');
  assert.equal(j.streamOf(after), '42\n', 'the session (and its kernel) lives on');
  await logged(kernel, /debugger client removed/);

  j.send('control', 'shutdown_request', { restart: false });
  const terminated = await b.log.next('terminated');
  assert.equal(typeof correlationOf(terminated), 'string');
  assert.equal(await within(kernel.exited, 'the kernel to exit'), 0);
});

test('dap_port: a flood of attaches from one connection cannot lock out the key; no big messages before attach; a token in a malformed message is never logged', async (t) => {
  const kernel = await startKernel(t, tempDir(t, 'llmspell-kernel-'));
  // 200 wrong attaches in one write: one is checked at a time per connection, the rest are
  // refused at once, and the connection closes after five refusals.
  const flood = await RawDap.connect(t, kernel.info.dap_port);
  flood.write(Array.from({ length: 200 }, (_, i) => {
    const body = JSON.stringify({ seq: i + 1, type: 'request', command: 'attach', arguments: { token: `guess-${i}` } });
    return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  }).join(''));
  await within(flood.closed, 'the flooding connection to be closed');
  const ok = await attachDap(t, kernel); // within the harness's wait: not behind 200 backoffs
  assert.deepEqual((await ok.dc.threadsRequest()).body.threads.map((th) => th.id), [1]);
  const checked = logLines(kernel, /^DAP attach refused: wrong token/).length;
  assert.ok(checked <= 5, `${checked} of the flood's attaches were checked against the key`);

  // Before authenticating, a message larger than 64 KiB ends the connection (nothing is buffered).
  const big = await RawDap.connect(t, kernel.info.dap_port);
  big.write(`Content-Length: ${10 * 1024 * 1024}\r\n\r\n{"seq":1,`);
  await within(big.closed, 'a 10 MiB message before attach to close the connection');

  // A message without a numeric seq is reported by its fields' names, never their values.
  const sloppy = await RawDap.connect(t, kernel.info.dap_port);
  const body = JSON.stringify({ seq: '1', type: 'request', command: 'attach', arguments: { token: 'SECRET-TOKEN-VALUE' } });
  sloppy.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await within(sloppy.closed, 'the malformed message to close its connection');
  assert.equal(logLines(kernel, /a DAP message needs type "request", a numeric seq and a command; got an object with type "request", seq "1", command "attach"/).length, 1);
  assert.doesNotMatch(kernel.stderr(), /SECRET-TOKEN-VALUE/);
});
