// A runtime started without the debugger (what `llmspell run` uses): scripts run as in any
// other runtime, it says it cannot be debugged, and debug requests fail with a reason instead
// of waiting for an answer that never comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRuntime } from '../../src/runtime/index.js';

async function withRuntime(t: { after(fn: () => Promise<void>): void }, debuggerOn: boolean): Promise<{ rt: ScriptRuntime; out: () => string }> {
  const rt = new ScriptRuntime({ debugger: debuggerOn });
  t.after(() => rt.stop());
  let text = '';
  rt.on('output', (_stream, data) => { text += Buffer.from(data).toString('utf8'); });
  await rt.start();
  return { rt, out: () => text };
}

test('without the debugger: scripts run, errors keep their traceback, the runtime is not debuggable', async (t) => {
  const { rt, out } = await withRuntime(t, false);
  assert.equal(rt.debuggable, false);
  const ok = await rt.runChunk('local co = coroutine.wrap(function (x) coroutine.yield(x * 2) end)\nprint(co(21), pcall(error, "caught"))', '=cell');
  assert.equal(ok.status, 'ok');
  assert.equal(out(), '42\tfalse\tcaught\n');
  const failed = await rt.runChunk('local function f() error("boom") end\nf()', '=cell');
  assert.equal(failed.status, 'error');
  assert.ok(failed.status === 'error' && /boom/.test(failed.message) && /in (local|function) 'f'/.test(failed.traceback ?? ''), JSON.stringify(failed));
});

test('without the debugger: a debug request is refused with a reason', async (t) => {
  const { rt } = await withRuntime(t, false);
  await assert.rejects(rt.debugRequest('stackTrace', {}), /started without the debugger/);
});

test('with the debugger (the default): the same runtime is debuggable and answers', async (t) => {
  const { rt } = await withRuntime(t, true);
  assert.equal(rt.debuggable, true);
  await rt.debugRequest('enable', { stopOnEntry: false });
});
