// Jupyter Server's default kernel WebSocket protocol: text messages are the JSON message with
// its channel; binary ones carry buffers behind a big-endian uint32 count and offsets (as
// JupyterLab's serializer writes them). Every malformed shape is a value naming the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWsMessage, encodeWsMessage, type WsDecoded } from '../../src/jupyter/websocket-codec.js';
import { makeHeader } from '../../src/jupyter/wire.js';

const header = makeHeader('comm_msg', 'session-1');
const text = (o: unknown): Buffer => Buffer.from(JSON.stringify(o), 'utf8');

function ok(d: WsDecoded): Extract<WsDecoded, { ok: true }> {
  assert.ok(d.ok, d.ok ? '' : d.error);
  return d;
}

function error(d: WsDecoded): Extract<WsDecoded, { ok: false }> {
  assert.ok(!d.ok, 'expected a malformed message');
  return d;
}

/** What JupyterLab sends for a message with buffers: count, offsets, JSON, buffers. */
function binary(json: unknown, buffers: Buffer[]): Buffer {
  const parts = [text(json), ...buffers];
  const head = 4 * (parts.length + 1);
  const out = Buffer.alloc(head);
  out.writeUInt32BE(parts.length, 0);
  let at = head;
  parts.forEach((p, i) => { out.writeUInt32BE(at, 4 * (i + 1)); at += p.length; });
  return Buffer.concat([out, ...parts]);
}

test('a text message: channel, header, parent header, metadata and content; missing optional parts are empty', () => {
  const d = ok(decodeWsMessage(text({ channel: 'control', header, content: { a: 1 } }), false));
  assert.equal(d.channel, 'control');
  assert.deepEqual(d.message.header, header);
  assert.deepEqual(d.message.parent_header, {});
  assert.deepEqual(d.message.metadata, {});
  assert.deepEqual(d.message.content, { a: 1 });
  assert.deepEqual(d.message.identities, []);
});

test('a binary message: the JSON and its buffers by offset', () => {
  const d = ok(decodeWsMessage(binary({ channel: 'shell', header, parent_header: {}, metadata: {}, content: {} }, [Buffer.from([1, 2, 3]), Buffer.from('xy')]), true));
  assert.equal(d.channel, 'shell');
  assert.deepEqual(d.message.buffers.map((b) => [...b]), [[1, 2, 3], [120, 121]]);
});

test('malformed messages say what is wrong, and keep the header when there is one (so a request can be answered)', () => {
  assert.match(error(decodeWsMessage(Buffer.from('nope'), false)).error, /not valid JSON/);
  assert.match(error(decodeWsMessage(text([1, 2]), false)).error, /must be a JSON object/);
  assert.match(error(decodeWsMessage(text({ channel: 'shell', header: { msg_type: 'x' } }), false)).error, /string msg_id and msg_type/);
  const iopub = error(decodeWsMessage(text({ channel: 'iopub', header }), false));
  assert.match(iopub.error, /iopub carries messages from the kernel only/);
  assert.deepEqual(iopub.header, header);
  assert.match(error(decodeWsMessage(text({ channel: 'nope', header }), false)).error, /unknown channel "nope"/);
  const content = error(decodeWsMessage(text({ channel: 'stdin', header, content: [] }), false));
  assert.match(content.error, /"content" must be a JSON object/);
  assert.equal(content.channel, 'stdin');
  assert.match(error(decodeWsMessage(Buffer.from([0, 0, 0]), true)).error, /binary message: only 3 bytes/);
  const outOfRange = binary({ channel: 'shell', header }, []);
  outOfRange.writeUInt32BE(outOfRange.length + 10, 4);
  assert.match(error(decodeWsMessage(outOfRange, true)).error, /offset 0 .* out of range/);
  const tooMany = Buffer.alloc(8);
  tooMany.writeUInt32BE(1000, 0);
  assert.match(error(decodeWsMessage(tooMany, true)).error, /1000 offsets do not fit/);
});

test('the kernel sends text messages with the channel and no buffers', () => {
  const parent = makeHeader('execute_request', 'client');
  const m = JSON.parse(encodeWsMessage('iopub', header, parent, {}, { name: 'stdout', text: 'hi' })) as Record<string, unknown>;
  assert.deepEqual(m, { channel: 'iopub', header, parent_header: parent, metadata: {}, content: { name: 'stdout', text: 'hi' }, buffers: [] });
});
