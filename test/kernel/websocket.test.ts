// The kernel's WebSocket endpoint (`kernel start --ws-port`) end to end, with real kernels and
// real WebSocket clients: Jupyter messages as Jupyter Server carries them on
// /api/kernels/<id>/channels (replies on the same socket, iopub shared with ZeroMQ frontends),
// DAP on /api/kernels/<id>/dap as one more debugger client of the same kernel, the key
// required at the upgrade, and malformed messages answered without harm to anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { fixture } from '../dap/dap-client.js';
import { readStatusFile, statusFileOf } from '../../src/daemon/status-file.js';
import { cli, eventually, logLine, logLines, startDaemon, tempRuntimeDir, type Daemon } from '../daemon/helpers.js';
import { freePorts, JupyterTestClient, startKernel, tempDir, within } from './harness.js';
import { openWs, wsUrl, WsDapClient, WsJupyterClient, type WsEndpoint } from './ws-clients.js';
import type { ConnectionInfo } from '../../src/jupyter/connection-file.js';

const tally = fixture('kernel', 'tally.lua');
/** The line of tally.lua inside the loop. */
const TALLY_LOOP_LINE = 6;
const TALLY_CELL = `local tally = dofile(${JSON.stringify(tally)}).tally\nprint('tally', tally(3))`;

type Info = ConnectionInfo & WsEndpoint;

async function wsDaemon(): Promise<{ d: Daemon; info: Info; dir: string }> {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--ws-port', '0']);
  const info = JSON.parse(fs.readFileSync(d.connectionFile, 'utf8')) as Info;
  return { d, info, dir };
}

test('--ws-port: the connection file names ws_port, distinct from the other ports; kernel status shows it', async () => {
  const { d, info, dir } = await wsDaemon();
  assert.ok(Number.isInteger(info.ws_port) && info.ws_port > 0, `ws_port ${info.ws_port}`);
  const ports = [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port, info.dap_port, info.ws_port];
  assert.equal(new Set(ports).size, 7);
  const status = await cli(dir, ['kernel', 'status', d.id]);
  assert.match(status.stdout, new RegExp(`^WebSocket port:\\s+${info.ws_port}$`, 'm'));
  const listening = await logLine(d.logFile, /^WebSocket listening$/);
  assert.equal(listening.channels, `/api/kernels/${d.id}/channels`);
  assert.equal(listening.dap, `/api/kernels/${d.id}/dap`);
});

test('Jupyter over WebSocket: replies and iopub on the same socket with their parent headers; iopub reaches ZeroMQ frontends too', async (t) => {
  const { info } = await wsDaemon();
  const w = await WsJupyterClient.connect(t, info);
  const z = await JupyterTestClient.connect(t, info);

  const infoId = w.send('shell', 'kernel_info_request', {});
  const infoReply = await w.finished(infoId);
  assert.equal(infoReply.channel, 'shell');
  assert.equal(infoReply.header.msg_type, 'kernel_info_reply');
  assert.equal(infoReply.parent_header.msg_type, 'kernel_info_request');
  assert.equal((infoReply.content.language_info as { name: string }).name, 'lua');
  assert.deepEqual(w.iopubOf(infoId).map((m) => [m.header.msg_type, m.content.execution_state]), [['status', 'busy'], ['status', 'idle']]);
  assert.equal(infoReply.header.session, w.iopubOf(infoId)[0].header.session, "one kernel session on every message");

  const exec = w.execute("print('hello from a browser')\nreturn 6 * 7");
  const reply = await w.finished(exec);
  assert.equal(reply.channel, 'shell');
  assert.equal(reply.header.msg_type, 'execute_reply');
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(w.streamOf(exec), 'hello from a browser\n');
  const types = w.iopubOf(exec).map((m) => m.header.msg_type);
  assert.deepEqual(types, ['status', 'execute_input', 'stream', 'execute_result', 'status']);
  const result = w.iopubOf(exec).find((m) => m.header.msg_type === 'execute_result')!;
  assert.equal((result.content.data as Record<string, string>)['text/plain'], '42');

  // The same broadcasts reached the ZeroMQ frontend, as the same messages; the reply did not.
  await z.next((m) => m.channel === 'iopub' && m.msg.parent_header.msg_id === exec && m.msg.header.msg_type === 'status'
    && (m.msg.content as { execution_state?: string }).execution_state === 'idle', 'idle on ZeroMQ');
  assert.equal(z.streamOf(exec), 'hello from a browser\n');
  const zStream = z.received.find((m) => m.msg.parent_header.msg_id === exec && m.msg.header.msg_type === 'stream')!;
  const wStream = w.iopubOf(exec).find((m) => m.header.msg_type === 'stream')!;
  assert.equal(zStream.msg.header.msg_id, wStream.header.msg_id, 'one broadcast, one msg_id');
  assert.equal(z.received.some((m) => m.channel !== 'iopub' && m.msg.parent_header.msg_id === exec), false, 'the reply went to its sender only');

  // And the other way: a ZeroMQ cell's output reaches the WebSocket, its reply does not.
  const zExec = z.send('shell', 'execute_request', { code: "print('from zeromq')", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  assert.equal((await z.finished(zExec)).content.status, 'ok');
  await w.next((m) => m.channel === 'iopub' && m.parent_header.msg_id === zExec && m.content.execution_state === 'idle', 'idle of the ZeroMQ cell');
  assert.equal(w.streamOf(zExec), 'from zeromq\n');
  assert.equal(w.received.some((m) => m.channel !== 'iopub' && m.parent_header.msg_id === zExec), false);

  // A second WebSocket client sees iopub but not the first one's replies.
  const w2 = await WsJupyterClient.connect(t, info);
  const exec2 = w.execute("print('second')");
  await w.finished(exec2);
  await w2.next((m) => m.parent_header.msg_id === exec2 && m.content.execution_state === 'idle', 'idle on the second WebSocket');
  assert.equal(w2.streamOf(exec2), 'second\n');
  assert.equal(w2.received.some((m) => m.channel !== 'iopub'), false);

  // The Jupyter debugger answers on control, as over ZeroMQ.
  const dbg = w.send('control', 'debug_request', { seq: 1, type: 'request', command: 'debugInfo', arguments: {} });
  const dbgReply = await w.reply(dbg);
  assert.equal(dbgReply.channel, 'control');
  assert.equal(dbgReply.header.msg_type, 'debug_reply');
  assert.equal(dbgReply.content.success, true, JSON.stringify(dbgReply.content));
});

test('Jupyter over WebSocket: input_request goes to the socket whose cell asked, and its input_reply is taken', async (t) => {
  const { info } = await wsDaemon();
  const w = await WsJupyterClient.connect(t, info);
  const exec = w.send('shell', 'execute_request', { code: "local s = io.read()\nprint('got ' .. s)", silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true });
  const ask = await w.next((m) => m.channel === 'stdin' && m.header.msg_type === 'input_request', 'input_request on stdin');
  assert.equal(ask.parent_header.msg_id, exec);
  const header = { msg_id: 'reply-1', msg_type: 'input_reply', session: w.session, username: 'test', date: new Date().toISOString(), version: '5.3' };
  w.ws.send(JSON.stringify({ channel: 'stdin', header, parent_header: ask.header, metadata: {}, content: { value: 'typed' } }));
  assert.equal((await w.finished(exec)).content.status, 'ok');
  assert.equal(w.streamOf(exec), 'got typed\n');
});

test('DAP over WebSocket: attach, a breakpoint, a cell run over the Jupyter WebSocket stops, the DAP client continues it', async (t) => {
  const { d, info } = await wsDaemon();
  const dap = await WsDapClient.connect(t, info);
  const init = await dap.request('initialize', { adapterID: 'browser', clientID: 'ws-test', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  assert.equal(init.success, true, JSON.stringify(init));
  // Authenticated at the upgrade: the attach needs no token.
  assert.equal((await dap.request('attach', {})).success, true);
  await dap.event('initialized');
  const set = await dap.request('setBreakpoints', { source: { path: tally }, breakpoints: [{ line: TALLY_LOOP_LINE }] });
  const bp = (set.body as P.SetBreakpointsResponse['body']).breakpoints[0];
  assert.equal(bp.verified, true, JSON.stringify(bp));
  assert.equal((await dap.request('configurationDone')).success, true);
  await logLine(d.logFile, /^debugger client attached$/);
  assert.equal(logLines(d.logFile).find((l) => l.msg === 'debugger client attached')?.kind, 'dap-websocket');

  const w = await WsJupyterClient.connect(t, info);
  // The status file counts the Jupyter WebSocket as a Jupyter connection, and names the debugger's kind.
  const file = statusFileOf(d.connectionFile);
  const status = await eventually('the status file to show both WebSocket clients', () => {
    const s = fs.existsSync(file) ? readStatusFile(file, d.pid) : null;
    return s && s.jupyter_frontends === 1 && s.debuggers.some((c) => c.kind === 'dap-websocket') ? s : null;
  });
  assert.equal(status.debuggers.length, 1);
  const exec = w.execute(TALLY_CELL);
  const stopped = await dap.event('stopped');
  assert.equal(stopped.body.reason, 'breakpoint');
  assert.deepEqual(stopped.body.hitBreakpointIds, [bp.id]);
  const st = await dap.request('stackTrace', { threadId: stopped.body.threadId });
  const top = (st.body as P.StackTraceResponse['body']).stackFrames[0];
  assert.equal(top.source?.path, tally);
  assert.equal(top.line, TALLY_LOOP_LINE);
  assert.equal(w.received.some((m) => m.header.msg_type === 'execute_reply'), false, 'the cell is stopped: no reply yet');

  await dap.request('setBreakpoints', { source: { path: tally }, breakpoints: [] });
  assert.equal((await dap.request('continue', { threadId: stopped.body.threadId })).success, true);
  await dap.event('continued');
  const reply = await w.finished(exec);
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(w.streamOf(exec), 'tally\t6\n');
  await dap.event('output');
  assert.ok(dap.events('output').some((e) => String(e.body.output).includes('tally\t6')), 'the cell\'s output reached the debugger too');
  assert.equal((await dap.request('disconnect', {})).success, true);
});

test('the key is required at the upgrade: missing 401, wrong 403, logged without the token; the header form works', async (t) => {
  const { d, info } = await wsDaemon();
  const wrong = 'not-the-key-0123456789';
  for (const path of ['channels', 'dap'] as const) {
    await assert.rejects(openWs(t, wsUrl(info, path, '')), (e: Error & { status?: number; body?: string }) => {
      assert.equal(e.status, 401);
      assert.match(String(e.body), /no token: send the kernel's key .*Authorization: token KEY.*\?token=KEY/);
      return true;
    });
    await assert.rejects(openWs(t, wsUrl(info, path, `token=${wrong}`)), (e: Error & { status?: number }) => e.status === 403);
    await assert.rejects(openWs(t, wsUrl(info, path, ''), { Authorization: `token ${wrong}` }), (e: Error & { status?: number }) => e.status === 403);
  }
  await assert.rejects(openWs(t, `ws://127.0.0.1:${info.ws_port}/api/kernels/other/channels?token=${info.key}`), (e: Error & { status?: number }) => e.status === 404);

  const refusals = logLines(d.logFile).filter((l) => /^WebSocket refused/.test(String(l.msg)));
  assert.deepEqual(refusals.map((l) => l.msg), ['WebSocket refused: no token', 'WebSocket refused: wrong token', 'WebSocket refused: wrong token',
    'WebSocket refused: no token', 'WebSocket refused: wrong token', 'WebSocket refused: wrong token', 'WebSocket refused: unknown path']);
  assert.ok(refusals.slice(0, 6).every((l) => typeof l.backoffMs === 'number' && l.backoffMs > 0), 'refusals back off');
  const log = fs.readFileSync(d.logFile, 'utf8');
  assert.ok(!log.includes(wrong) && !log.includes(info.key), 'no token in the log');

  // The right key, in the header this time, opens the socket and the kernel answers.
  const ws = await openWs(t, wsUrl(info, 'channels', ''), { Authorization: `token ${info.key}` });
  const w = new WsJupyterClient(ws);
  assert.equal((await w.reply(w.send('shell', 'kernel_info_request', {}))).header.msg_type, 'kernel_info_reply');
  // A plain HTTP request is told what this port is.
  const res = await fetch(`http://127.0.0.1:${info.ws_port}/`);
  assert.equal(res.status, 426);
  assert.match(await res.text(), /WebSockets only/);

  // A request target that is not a URL path (any web page can send one, before any key) is
  // refused, and the kernel goes on.
  for (const target of ['//', '//x:99999/']) {
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(info.ws_port, '127.0.0.1');
      let got = '';
      sock.on('data', (b) => { got += b.toString(); });
      sock.on('close', () => resolve(got));
      sock.on('error', reject);
      sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /, target);
  }
  assert.equal((await w.reply(w.send('shell', 'kernel_info_request', {}))).header.msg_type, 'kernel_info_reply', 'still serving');
});

test('malformed messages are answered on their own socket and logged; the connection and other clients keep serving', async (t) => {
  const { d, info } = await wsDaemon();
  const bad = await WsJupyterClient.connect(t, info);
  const other = await WsJupyterClient.connect(t, info);

  bad.ws.send('this is not json');
  const notJson = await bad.next((m) => m.header.msg_type === 'error', 'an error for the text that is not JSON');
  assert.equal(notJson.channel, 'iopub');
  assert.equal(notJson.content.ename, 'BadMessage');
  assert.match(String(notJson.content.evalue), /not valid JSON/);

  // A request that can be named gets its reply, with status error and the reason.
  const header = { msg_id: 'no-channel', msg_type: 'kernel_info_request', session: 's', username: 'u', date: new Date().toISOString(), version: '5.3' };
  bad.ws.send(JSON.stringify({ header, parent_header: {}, metadata: {}, content: {} }));
  const noChannel = await bad.reply('no-channel');
  assert.equal(noChannel.header.msg_type, 'kernel_info_reply');
  assert.equal(noChannel.content.status, 'error');
  assert.match(String(noChannel.content.evalue), /no "channel"/);
  bad.ws.send(JSON.stringify({ channel: 'iopub', header: { ...header, msg_id: 'on-iopub' }, parent_header: {}, metadata: {}, content: {} }));
  assert.match(String((await bad.reply('on-iopub')).content.evalue), /iopub carries messages from the kernel only/);
  bad.ws.send(JSON.stringify({ channel: 'shell', header: { ...header, msg_id: 'bad-content' }, parent_header: {}, metadata: {}, content: 'code' }));
  assert.match(String((await bad.reply('bad-content')).content.evalue), /"content" must be a JSON object/);

  // The same connection still serves, and the other client never saw any of it.
  const ok = bad.execute("print('still here')");
  assert.equal((await bad.finished(ok)).content.status, 'ok');
  assert.equal(bad.streamOf(ok), 'still here\n');
  const otherExec = other.execute('return 1');
  assert.equal((await other.finished(otherExec)).content.status, 'ok');
  assert.equal(other.received.some((m) => m.header.msg_type === 'error' || m.content.status === 'error'), false);
  await logLine(d.logFile, /dropped a message: WebSocket client .*not valid JSON/);
  assert.equal(logLines(d.logFile).filter((l) => /^dropped a message: WebSocket client/.test(String(l.msg))).length, 4);

  // DAP: text that is not JSON, and JSON that is not a DAP message, are reported; the session goes on.
  const dap = await WsDapClient.connect(t, info);
  dap.ws.send('Content-Length: 2\r\n\r\n{}');
  assert.match(String((await dap.event('output')).body.output), /must be JSON.*no Content-Length/);
  dap.ws.send(JSON.stringify({ hello: 'world' }));
  assert.match(String((await dap.event('output', 2)).body.output), /needs type "request", a numeric seq/);
  const init = await dap.request('initialize', { adapterID: 'browser' });
  assert.equal(init.success, true);
  assert.equal((await dap.request('attach', {})).success, true);
});

test('--ws-port on a port in use is refused with a clear error; with --connection-file the file\'s ws_port is served, never without a key', async (t) => {
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => holder.close(() => r())));
  const busy = (holder.address() as net.AddressInfo).port;
  const dir = tempRuntimeDir();
  const r = await cli(dir, ['kernel', 'start', '--ws-port', String(busy)]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`--ws-port ${busy}: port ${busy} on 127\\.0\\.0\\.1 is in use`));

  const [wsPort] = await freePorts(1);
  const kernel = await startKernel(t, tempDir(t, 'llmspell-ws-'), { ws_port: wsPort });
  const w = await within(WsJupyterClient.connect(t, { ws_port: wsPort, kernel_id: kernel.info.kernel_id, key: kernel.info.key }), 'a WebSocket to a --connection-file kernel');
  assert.equal((await w.reply(w.send('control', 'kernel_info_request', {}))).channel, 'control');

  // A connection file without a key gets no WebSocket: any web page could reach it on loopback.
  const [another] = await freePorts(1);
  await assert.rejects(startKernel(t, tempDir(t, 'llmspell-ws-'), { ws_port: another, key: '' }), /cannot serve the WebSocket on 127\.0\.0\.1:\d+: the WebSocket endpoint needs the kernel's key/);
});

test('kernel stop with WebSocket clients connected: they are told (shutdown_reply, terminated) and closed, and the kernel stops cleanly', async (t) => {
  const { d, info, dir } = await wsDaemon();
  const w = await WsJupyterClient.connect(t, info);
  const dap = await WsDapClient.connect(t, info);
  await dap.request('initialize', { adapterID: 'browser' });
  await dap.request('attach', {});
  const closes = [w.ws, dap.ws].map((ws) => new Promise<number>((r) => ws.once('close', (code) => r(code))));
  const stop = await cli(dir, ['kernel', 'stop', d.id]);
  assert.equal(stop.stdout, `Kernel ${d.id} stopped\n`, stop.stderr);
  const codes = await within(Promise.all(closes), 'both WebSockets to close');
  assert.ok(codes.every((c) => c === 1000 || c === 1001), `close codes ${codes}`);
  assert.ok(w.received.some((m) => m.channel === 'iopub' && m.header.msg_type === 'shutdown_reply'), 'the Jupyter client heard the kernel go');
  assert.equal(dap.events('terminated').length, 1, 'the DAP client heard the kernel go');
});

test('a DAP WebSocket client dropped mid-stop is removed with its breakpoints; the cell goes on', async (t) => {
  const { d, info } = await wsDaemon();
  const dap = await WsDapClient.connect(t, info);
  await dap.request('initialize', { adapterID: 'browser' });
  await dap.request('attach', {});
  await dap.request('setBreakpoints', { source: { path: tally }, breakpoints: [{ line: TALLY_LOOP_LINE }] });
  await dap.request('configurationDone');
  const w = await WsJupyterClient.connect(t, info);
  const exec = w.execute(TALLY_CELL);
  await dap.event('stopped');
  dap.ws.terminate(); // no close frame, as a crashed browser tab
  assert.equal((await w.finished(exec)).content.status, 'ok');
  assert.equal(w.streamOf(exec), 'tally\t6\n');
  const removed = await logLine(d.logFile, /^debugger client removed$/);
  assert.equal(removed.why, 'connection lost');
  // Its breakpoint went with it: the same cell runs through.
  const again = w.execute(TALLY_CELL);
  assert.equal((await w.finished(again)).content.status, 'ok');
});
