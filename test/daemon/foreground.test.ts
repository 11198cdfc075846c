// `llmspell kernel start` without --daemon or --connection-file: a self-started kernel in the
// foreground (the way systemd runs it), its ports from --port, and its signal policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pickPorts } from '../../src/jupyter/port-picker.js';
import { spawnCli, waitForExit, waitForOutput } from '../e2e/helpers.js';
import { alive, cli, eventually, tempRuntimeDir } from './helpers.js';

/** A base port with six free ports above it. */
async function freeBase(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 20000 + Math.floor(Math.random() * 40000);
    try {
      await pickPorts('127.0.0.1', base);
      return base;
    } catch { /* taken: another */ }
  }
  throw new Error('no free port range found');
}

test('a foreground kernel on --port BASE uses BASE..BASE+5, and SIGINT stops it cleanly', async () => {
  const dir = tempRuntimeDir();
  const base = await freeBase();
  const child = spawnCli(['kernel', 'start', '--id', 'fg', '--port', String(base)], { env: { LLMSPELL_RUNTIME_DIR: dir } });
  await waitForOutput(child.stdout!, /connection file: .*kernel-fg\.json\n/);
  const info = JSON.parse(fs.readFileSync(path.join(dir, 'kernel-fg.json'), 'utf8')) as Record<string, number>;
  assert.deepEqual(
    [info.shell_port, info.iopub_port, info.stdin_port, info.control_port, info.hb_port, info.dap_port],
    [base, base + 1, base + 2, base + 3, base + 4, base + 5],
  );
  assert.equal(info.pid, child.pid);
  // It answers (and the kernel really listens on BASE).
  const r = await cli(dir, ['kernel', 'connect', 'fg'], { stdin: 'return 6 * 7\n' });
  assert.equal(r.stdout, '42\n');
  // A service kernel takes SIGINT (Ctrl-C) as "stop", unlike one Jupyter launched.
  child.kill('SIGINT');
  const exit = await waitForExit(child, 10_000);
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('a port of the range in use refuses the start, naming it', async () => {
  const dir = tempRuntimeDir();
  const base = await freeBase();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(base + 2, '127.0.0.1', resolve));
  try {
    const r = await cli(dir, ['kernel', 'start', '--daemon', '--id', 'blocked', '--port', String(base)]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`port ${base + 2} \\(stdin\\) on 127\\.0\\.0\\.1 is in use: choose another --port base`));
    await eventually('the failed kernel to leave no files', () => !fs.existsSync(path.join(dir, 'kernel-blocked.json')) && !fs.existsSync(path.join(dir, 'kernel-blocked.pid')));
  } finally {
    blocker.close();
  }
});

test('a kernel being stopped answers the running cell first (interrupted), and its console hears of the shutdown', async () => {
  const dir = tempRuntimeDir();
  const child = spawnCli(['kernel', 'start', '--id', 'busy'], { env: { LLMSPELL_RUNTIME_DIR: dir } });
  await waitForOutput(child.stdout!, /connection file/);
  const consoleRun = spawnCli(['kernel', 'connect', 'busy'], { keepStdinOpen: true, env: { LLMSPELL_RUNTIME_DIR: dir } });
  consoleRun.stdin!.write('print("looping") while true do end\n');
  await waitForOutput(consoleRun.stdout!, 'looping\n');
  let stderr = '';
  consoleRun.stderr!.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  child.kill('SIGTERM');
  const exit = await waitForExit(consoleRun, 10_000);
  assert.deepEqual(exit, { code: 1, signal: null });
  assert.match(stderr, /interrupted!/);
  assert.match(stderr, /llmspell: kernel busy shut down\n$/);
  assert.deepEqual(await waitForExit(child, 10_000), { code: 0, signal: null });
  assert.equal(alive(child.pid!), false);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('--connection-file does not mix with the options of self-started kernels', async () => {
  const r = await cli(tempRuntimeDir(), ['kernel', 'start', '--connection-file', 'x.json', '--daemon', '--port', '9000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /leave out --daemon, --port/);
});
