// Stream output is batched on its way to iopub (src/jupyter/stream-batcher.ts): few messages
// for many writes, nothing reordered against the other messages, and a slow frontend that
// ZeroMQ would have dropped messages for gets all of a flood of output and the `idle` after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zmq from 'zeromq';
import { KernelFrontends, type FrontendTransport } from '../../src/jupyter/kernel-frontends.js';
import { StreamBatcher, type StreamContent } from '../../src/jupyter/stream-batcher.js';
import { decode, Signer, type Header } from '../../src/jupyter/wire.js';
import { JupyterTestClient, startKernel, tempDir, within } from '../kernel/harness.js';

const parent = (id: string): Partial<Header> => ({ msg_id: id });

test('writes to one stream of one request become one message; another stream or request is its own', async () => {
  const sent: [string | undefined, StreamContent][] = [];
  const b = new StreamBatcher(async (p, c) => { sent.push([p?.msg_id, c]); }, 10_000);
  void b.add(parent('a'), { name: 'stdout', text: 'one\n' });
  void b.add(parent('a'), { name: 'stderr', text: 'oops\n' });
  void b.add(parent('a'), { name: 'stdout', text: 'two\n' });
  assert.equal(sent.length, 0, 'nothing goes out before the delay');
  await b.add(parent('b'), { name: 'stdout', text: 'three\n' });
  assert.deepEqual(sent, [['a', { name: 'stdout', text: 'one\ntwo\n' }], ['a', { name: 'stderr', text: 'oops\n' }]], "a new request's text sends the earlier request's first");
  await b.flush();
  assert.deepEqual(sent[2], ['b', { name: 'stdout', text: 'three\n' }]);
});

test('pending text goes out after the delay, or at once past the size limit', async () => {
  const sent: StreamContent[] = [];
  const b = new StreamBatcher(async (_p, c) => { sent.push(c); }, 20, 10);
  await b.add(parent('a'), { name: 'stdout', text: 'x' });
  assert.equal(sent.length, 0);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(sent, [{ name: 'stdout', text: 'x' }]);
  await b.add(parent('a'), { name: 'stdout', text: '0123456789ab' });
  assert.deepEqual(sent[1], { name: 'stdout', text: '0123456789ab' }, 'sent without waiting');
});

test('any other iopub message, and a reply, first sends the text written before it', async () => {
  const order: string[] = [];
  const transport: FrontendTransport = {
    listen: () => undefined,
    deliver: async (_ch, _p, header) => { order.push(`reply:${header.msg_type}`); },
    broadcast: async (header, _p, content) => { order.push(header.msg_type === 'stream' ? `stream:${(content as StreamContent).text}` : header.msg_type); },
    close: () => undefined,
  };
  const hub = new KernelFrontends();
  hub.add(transport);
  await hub.publish('stream', parent('a'), { name: 'stdout', text: 'before display\n' });
  await hub.publish('display_data', parent('a'), { data: {}, metadata: {} });
  await hub.publish('stream', parent('a'), { name: 'stdout', text: 'before idle\n' });
  await hub.publish('status', parent('a'), { execution_state: 'idle' });
  assert.deepEqual(order, ['stream:before display\n', 'display_data', 'stream:before idle\n', 'status']);
  // Published without waiting (as a cell's result is), the order is still the order of the calls.
  order.length = 0;
  void hub.publish('stream', parent('b'), { name: 'stdout', text: 'printed\n' });
  void hub.publish('execute_result', parent('b'), { data: {} });
  await hub.publish('status', parent('b'), { execution_state: 'idle' });
  assert.deepEqual(order, ['stream:printed\n', 'execute_result', 'status']);
  hub.close();
});

test('a frontend that reads iopub late still gets all of a flood of output and the idle status', async (t) => {
  const dir = tempDir(t, 'llmspell-flood-');
  const k = await startKernel(t, dir);
  const fast = await JupyterTestClient.connect(t, k.info);
  // A subscriber that reads nothing until the cell is over: ZeroMQ keeps at most 1,000
  // messages queued for it and drops the rest.
  const slow = new zmq.Subscriber({ linger: 0 });
  t.after(() => slow.close());
  slow.connect(`tcp://${k.info.ip}:${k.info.iopub_port}`);
  slow.subscribe();
  await new Promise((r) => setTimeout(r, 300)); // the subscription reaches the kernel
  const cell = fast.send('shell', 'execute_request', { code: 'for i = 1, 20000 do print(i) io.stderr:write("e\\n") end', silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  await fast.finished(cell, 30_000);
  const signer = new Signer(k.info.key);
  let stdout = 0;
  let stderr = 0;
  let messages = 0;
  let idle = false;
  await within((async () => {
    while (!idle) {
      const d = decode((await slow.receive()) as Buffer[], signer);
      if (!d.ok || d.message.parent_header.msg_id !== cell) continue;
      const c = d.message.content as { name?: string; text?: string; execution_state?: string };
      if (d.message.header.msg_type === 'stream') {
        messages++;
        const lines = (c.text ?? '').split('\n').length - 1;
        if (c.name === 'stdout') stdout += lines; else stderr += lines;
      }
      if (d.message.header.msg_type === 'status' && c.execution_state === 'idle') idle = true;
    }
  })(), 'the slow subscriber to read up to idle');
  assert.equal(stdout, 20000);
  assert.equal(stderr, 20000);
  assert.ok(messages < 200, `${messages} stream messages for 40,000 writes`);
});
