// `llmspell dap` (stdio, as editors run it) attaching to a running kernel: `attach` with
// `connectionFile` or `kernelId` (looked up in LLMSPELL_RUNTIME_DIR) connects to the kernel's
// dap_port with the key from the connection file and relays the session both ways. A kernel
// it cannot reach or that refuses it is an error response, and the adapter still serves
// `launch` afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { adapterProcess, debugFixture, EventLog, fixture, locals, startAdapter, where } from '../dap/dap-client.js';
import { correlationOf, JupyterTestClient, logLines, startKernel, tempDir, within, type T } from './harness.js';

const tally = fixture('kernel', 'tally.lua');
const TALLY_CELL = `local tally = dofile(${JSON.stringify(tally)}).tally\nprint('tally', tally(3))`;

function execute(j: JupyterTestClient, code: string): string {
  return j.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
}

/** LLMSPELL_RUNTIME_DIR for the adapters this test starts (they inherit this process's environment). */
function useRuntimeDir(t: T, dir: string): void {
  const before = process.env.LLMSPELL_RUNTIME_DIR;
  process.env.LLMSPELL_RUNTIME_DIR = dir;
  t.after(() => {
    if (before === undefined) delete process.env.LLMSPELL_RUNTIME_DIR;
    else process.env.LLMSPELL_RUNTIME_DIR = before;
  });
}

test('attach with kernelId or connectionFile relays an editor to the kernel: breakpoints, stops, stepping, output', async (t) => {
  const dir = tempDir(t, 'llmspell-runtime-');
  useRuntimeDir(t, dir);
  const kernel = await startKernel(t, dir);
  const j = await JupyterTestClient.connect(t, kernel.info);

  const dc = await startAdapter(t);
  const log = new EventLog(dc);
  await dc.initializeRequest();
  await dc.attachRequest({ kernelId: kernel.info.kernel_id } as P.AttachRequestArguments);
  await log.next('initialized');
  const set = await dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [{ line: 6 }] });
  assert.equal(set.body.breakpoints.length, 1);
  await dc.configurationDoneRequest();

  const exec = execute(j, TALLY_CELL);
  const stop = await log.stopped();
  assert.equal(stop.body.reason, 'breakpoint');
  assert.deepEqual(stop.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
  assert.equal(correlationOf(stop), exec, 'correlation ids pass through the relay');
  assert.match(await where(dc), /tally:6$/);
  assert.equal((await locals(dc)).i, '1');
  await dc.nextRequest({ threadId: 1 });
  await log.stopped();
  assert.equal((await locals(dc)).total, '1');
  await dc.setBreakpointsRequest({ source: { path: tally }, breakpoints: [] });
  await dc.continueRequest({ threadId: 1 });
  assert.equal((await j.finished(exec)).content.status, 'ok');
  await log.outputMatching('stdout', /tally\t6\n/);

  // The kernel knows the client came through the stdio proxy.
  const attached = logLines(kernel, /debugger client attached/);
  assert.equal(attached.at(-1)?.kind, 'dap-stdio');

  // Disconnecting ends the adapter, not the kernel.
  await dc.disconnectRequest({});
  const proc = adapterProcess(dc)!;
  await within(new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r))), 'the adapter to exit');
  assert.equal(kernel.proc.exitCode, null);

  // The same through the connection file's path.
  const dc2 = await startAdapter(t);
  const log2 = new EventLog(dc2);
  await dc2.initializeRequest();
  await dc2.attachRequest({ connectionFile: kernel.connectionFile } as P.AttachRequestArguments);
  await log2.next('initialized');
  const threads = await dc2.threadsRequest();
  assert.deepEqual(threads.body.threads.map((th) => th.id), [1]);

  // A kernel that stops ends the relayed session: the editor is told.
  j.send('control', 'shutdown_request', { restart: false });
  await log2.next('terminated');
  const proc2 = adapterProcess(dc2)!;
  await within(new Promise((r) => (proc2.exitCode !== null ? r(null) : proc2.once('exit', r))), 'the adapter to exit with its kernel');
});

test('a kernel that is not there, is stale, names no dap_port, or refuses the key: an error response, and the adapter still launches', async (t) => {
  const dir = tempDir(t, 'llmspell-runtime-');
  useRuntimeDir(t, dir);
  const kernel = await startKernel(t, dir);

  // Files that lead nowhere useful.
  const wrongKey = path.join(dir, 'kernel-wrongkey.json');
  fs.writeFileSync(wrongKey, JSON.stringify({ ...kernel.info, kernel_id: 'wrongkey', key: 'not-the-key' }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'kernel-nodap.json'), JSON.stringify({ ...kernel.info, kernel_id: 'nodap', dap_port: undefined }), { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'kernel-gone.json'), JSON.stringify({ ...kernel.info, kernel_id: 'gone', pid: 2 ** 22 + 1 }), { mode: 0o600 });

  const dc = await startAdapter(t);
  const log = new EventLog(dc);
  await dc.initializeRequest();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ kernelId: 'nosuchkernel' }, new RegExp(`no kernel 'nosuchkernel' in ${dir.replace(/[/.]/g, '\\$&')}`)],
    [{ connectionFile: path.join(dir, 'missing.json') }, /cannot use connection file .*missing\.json/],
    [{ kernelId: 'gone' }, /kernel gone is not running .* is stale/],
    [{ kernelId: 'nodap' }, /names no dap_port/],
    [{ connectionFile: wrongKey }, /'attach' refused: wrong token/],
    [{ kernelId: 42 }, /kernelId must be a kernel id/],
  ];
  for (const [args, pattern] of cases) {
    await assert.rejects(dc.attachRequest(args as P.AttachRequestArguments), pattern, JSON.stringify(args));
  }
  assert.ok(logLines(kernel, /attach refused: wrong token/).length >= 1, "the kernel logged the wrong key");

  // Still an adapter of its own: launch a script.
  const accounts = debugFixture('accounts.lua');
  await dc.launchRequest({ program: accounts } as P.LaunchRequestArguments);
  await log.next('initialized');
  await dc.configurationDoneRequest();
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  assert.equal(log.output('stdout'), 'total\t165\n');
});
