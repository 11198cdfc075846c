// A runtime started ahead of need (src/runtime/prestart.ts, used by `llmspell run`): handed
// once to the first request with the same options, and never what keeps a process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { prestartRuntime, takePrestartedRuntime } from '../../src/runtime/index.js';

test('a prestarted runtime goes to the first request with the same options, once, and runs scripts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-prestart-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  prestartRuntime({ cwd: dir, stdin: 'none' });
  assert.equal(takePrestartedRuntime({ cwd: os.tmpdir(), stdin: 'none' }), null, 'another directory: not this runtime');
  assert.equal(takePrestartedRuntime({ cwd: dir, stdin: 'inherit' }), null, 'another stdin mode: not this runtime');
  const rt = takePrestartedRuntime({ cwd: dir, stdin: 'none' });
  assert.ok(rt, 'the same options get it');
  t.after(() => rt.stop());
  assert.equal(takePrestartedRuntime({ cwd: dir, stdin: 'none' }), null, 'handed out once');
  let out = '';
  rt.on('output', (_stream, data) => { out += Buffer.from(data).toString('utf8'); });
  fs.writeFileSync(path.join(dir, 'here.lua'), 'print("ran in", io.open("here.lua") and "its cwd" or "elsewhere")\n');
  const outcome = await rt.runFile('here.lua');
  assert.deepEqual(outcome.status, 'ok');
  assert.equal(out, 'ran in\tits cwd\n');
});

/** Runs `body` (an ES module importing `rt`, the runtime layer) in its own process; resolves with how it ended. */
async function inChildProcess(t: { after(fn: () => void): void }, body: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-prestart-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'child.mjs');
  const runtime = pathToFileURL(path.resolve('dist/src/runtime/index.js')).href;
  fs.writeFileSync(file, `import * as rt from ${JSON.stringify(runtime)};\n${body}\n`);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  // Not a timing: a process still there after 20 s is one the worker kept alive.
  const hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  clearTimeout(hung);
  return { code, signal, stdout };
}

test('a prestarted runtime nobody takes does not keep the process alive', async (t) => {
  // The child checks that the worker did boot (a taken one answers), then starts another and leaves it.
  const r = await inChildProcess(t, [
    'rt.prestartRuntime({});',
    'const first = rt.takePrestartedRuntime({});',
    'console.log((await first.runChunk("return 1 + 1", "=check", true)).status);',
    'await first.stop();',
    'rt.prestartRuntime({});',
    'console.log("left it");',
  ].join('\n'));
  assert.equal(r.signal, null, 'the process had to be killed: the unused worker kept it alive');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'ok\nleft it\n');
});

test('a taken runtime keeps the process alive until it is stopped', async (t) => {
  const r = await inChildProcess(t, [
    'rt.prestartRuntime({});',
    'const runtime = rt.takePrestartedRuntime({});',
    // Nothing but the worker keeps this process waiting for the chunk's end.
    'void runtime.runChunk("local t = os.clock() while os.clock() - t < 0.3 do end", "=wait").then(async (o) => { console.log(o.status); await runtime.stop(); });',
  ].join('\n'));
  assert.equal(r.signal, null);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'ok\n', 'the process waited for the runtime it took');
});
