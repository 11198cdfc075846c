// The status file a self-started kernel keeps for `kernel list`: 0600, its own pid, rewritten
// as clients come and go, removed when the kernel stops; a killed kernel's file is ignored
// (the kernel is listed stale, never contacted) and removed by `kernel stop`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStatusFile, statusFileOf } from '../../src/daemon/status-file.js';
import { JupyterClient } from '../../src/jupyter/client.js';
import { readConnectionFile } from '../../src/jupyter/connection-file.js';
import { fixture } from '../e2e/helpers.js';
import { listedWhen } from './daemon-clients.js';
import { alive, cli, eventually, startDaemon, tempRuntimeDir } from './helpers.js';

test('a daemon keeps a 0600 status file with its clients; kill -9 leaves it stale and ignored; kernel stop removes it', async () => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'st']);
  const file = statusFileOf(d.connectionFile);
  assert.equal(file, path.join(dir, 'kernel-st.status'));
  await eventually('the status file', () => fs.existsSync(file));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const s = readStatusFile(file, d.pid);
  assert.deepEqual([s?.state, s?.jupyter_frontends, s?.debuggers], ['idle', 0, []]);
  assert.equal(readStatusFile(file, d.pid + 1), null, "another process's status is not this kernel's");

  // A Jupyter connection is counted while it lasts.
  const client = new JupyterClient(readConnectionFile(d.connectionFile));
  await client.connect();
  try {
    // The kernel learns of the connection from ZeroMQ's monitor, a moment after the client has it.
    await listedWhen(dir, 'st', 'the connection counted', (k) => k.clients === 1);
    assert.match((await cli(dir, ['kernel', 'status', 'st'])).stdout, /^Clients:\s+1 \(1 Jupyter connection, 0 debuggers\)$/m);
    const list = await cli(dir, ['kernel', 'list']);
    assert.match(list.stdout, /^ID\s+PID\s+STATE\s+IP\s+SHELL\s+IOPUB\s+STDIN\s+CONTROL\s+HB\s+DAP\s+CLIENTS$/m);
    assert.match(list.stdout, new RegExp(`^st\\s+${d.pid}\\s+alive\\s.*\\s1$`, 'm'));
  } finally {
    client.close();
  }
  await listedWhen(dir, 'st', 'the connection gone', (k) => k.clients === 0);

  // Killed: its files stay, `kernel list` calls it stale without asking it anything.
  process.kill(d.pid, 'SIGKILL');
  await eventually('the kernel to die', () => !alive(d.pid));
  assert.ok(fs.existsSync(file));
  const list = await cli(dir, ['kernel', 'list']);
  assert.match(list.stdout, new RegExp(`^st\\s+${d.pid}\\s+stale\\s.*\\s-$`, 'm'));
  const json = JSON.parse((await cli(dir, ['kernel', 'list', '--json'])).stdout) as { clients: number | null; debuggers: unknown }[];
  assert.deepEqual([json[0].clients, json[0].debuggers], [null, null]);
  const stop = await cli(dir, ['kernel', 'stop', 'st']);
  assert.equal(stop.stdout, 'Kernel st was not running; removed its files\n');
  assert.equal(fs.existsSync(file), false);
});

test('a kernel that stops removes its status file', async () => {
  const dir = tempRuntimeDir();
  const d = await startDaemon(dir, ['--id', 'gone']);
  const file = statusFileOf(d.connectionFile);
  await eventually('the status file', () => fs.existsSync(file));
  assert.equal((await cli(dir, ['kernel', 'stop', 'gone'])).code, 0);
  assert.equal(fs.existsSync(file), false);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['kernel-gone.log']);
});

test('a kernel that hangs (SIGSTOP) holds up neither kernel list nor the fleet: list reads its last status, a breakpoint request reports no answer', async () => {
  const dir = tempRuntimeDir();
  const [hung, fine] = await Promise.all([startDaemon(dir, ['--id', 'hung']), startDaemon(dir, ['--id', 'fine'])]);
  await listedWhen(dir, 'hung', 'its status', (k) => k.clients === 0);
  process.kill(hung.pid, 'SIGSTOP');
  try {
    const list = await cli(dir, ['kernel', 'list']);
    assert.equal(list.timedOut, false);
    assert.match(list.stdout, new RegExp(`^hung\\s+${hung.pid}\\s+alive\\s.*\\s0$`, 'm'));
    const set = await cli(dir, ['fleet', 'debug', 'set-breakpoint', '--all', `${fixture('kernel', 'tally.lua')}:6`]);
    assert.equal(set.code, 1);
    assert.match(set.stdout, /^fine:\s+set at /m);
    assert.match(set.stdout, /^hung:\s+failed: no answer within 5 s$/m);
  } finally {
    process.kill(hung.pid, 'SIGCONT');
  }
});
