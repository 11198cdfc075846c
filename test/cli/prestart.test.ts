// Which commands start their runtime before the command line is parsed (src/cli/prestart.ts),
// and with the options the command will then ask for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prestart } from '../../src/cli/prestart.js';
import { takePrestartedRuntime, type ScriptRuntime } from '../../src/runtime/index.js';

const argv = (...args: string[]): string[] => [process.execPath, 'llmspell.js', ...args];

async function taken(t: { after(fn: () => Promise<void>): void }, options: Parameters<typeof takePrestartedRuntime>[0]): Promise<ScriptRuntime | null> {
  const rt = takePrestartedRuntime(options);
  if (rt) t.after(() => rt.stop());
  return rt;
}

test('run prestarts a runtime without the debugger, reading stdin through the main thread', async (t) => {
  prestart(argv('run', 'script.lua', 'arg'));
  const rt = await taken(t, { stdin: 'inherit', debugger: false });
  assert.ok(rt);
  await rt.start();
  assert.equal(rt.debuggable, false);
});

test('dap on stdio prestarts a debuggable runtime for a plain launch; dap --port and --help do not', async (t) => {
  prestart(argv('dap', '--port', '0'));
  assert.equal(await taken(t, { stdin: 'none' }), null, 'a TCP server may serve many sessions, or none');
  prestart(argv('dap', '--help'));
  assert.equal(await taken(t, { stdin: 'none' }), null);
  prestart(argv('dap'));
  const rt = await taken(t, { stdin: 'none' });
  assert.ok(rt);
  await rt.start();
  assert.equal(rt.debuggable, true);
});

test('other commands prestart nothing', async (t) => {
  for (const cmd of ['debug', 'repl', 'kernel']) {
    prestart(argv(cmd, 'x.lua'));
    for (const options of [{ stdin: 'none' as const }, { stdin: 'inherit' as const }, { stdin: 'inherit' as const, debugger: false }]) {
      assert.equal(await taken(t, options), null, `${cmd} ${JSON.stringify(options)}`);
    }
  }
});
