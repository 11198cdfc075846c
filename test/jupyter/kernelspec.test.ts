// `llmspell kernel install|uninstall` and the kernelspec they write: where Jupyter looks, with
// an argv that starts the kernel with nothing on PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliPath, runCli, waitForExit } from '../e2e/helpers.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-kernelspec-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Spec { argv: string[]; display_name: string; language: string; interrupt_mode?: string; metadata: { debugger?: boolean } }

const readSpec = (file: string): Spec => JSON.parse(fs.readFileSync(file, 'utf8')) as Spec;

test('install --prefix writes DIR/share/jupyter/kernels/NAME/kernel.json with absolute node and CLI paths', async (t) => {
  const dir = tempDir(t);
  const r = await runCli(['kernel', 'install', '--prefix', dir, '--name', 'lua-test']);
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(dir, 'share', 'jupyter', 'kernels', 'lua-test', 'kernel.json');
  assert.match(r.stdout, /Installed kernelspec lua-test/);
  const spec = readSpec(file);
  assert.equal(spec.argv[0], process.execPath);
  assert.equal(spec.argv[1], cliPath);
  assert.deepEqual(spec.argv.slice(2), ['kernel', 'start', '--connection-file', '{connection_file}']);
  assert.equal(spec.language, 'lua');
  assert.equal(spec.metadata.debugger, true);
  assert.equal(spec.interrupt_mode, 'message');
  assert.match(spec.display_name, /Lua/);
});

test('install --user honours JUPYTER_DATA_DIR; uninstall removes it; a second uninstall says there is none', async (t) => {
  const data = tempDir(t);
  const env = { JUPYTER_DATA_DIR: data };
  assert.equal((await runCli(['kernel', 'install', '--user'], { env })).code, 0);
  const dir = path.join(data, 'kernels', 'llmspell');
  assert.ok(fs.existsSync(path.join(dir, 'kernel.json')), 'default name llmspell');
  assert.equal((await runCli(['kernel', 'install'], { env })).code, 0, 'installing again replaces it');
  const r = await runCli(['kernel', 'uninstall', '--user'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.existsSync(dir), false);
  const again = await runCli(['kernel', 'uninstall'], { env });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /no kernelspec named llmspell/);
});

test('bad options are usage errors', async (t) => {
  const dir = tempDir(t);
  const both = await runCli(['kernel', 'install', '--user', '--prefix', dir]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose one of/);
  const name = await runCli(['kernel', 'install', '--prefix', dir, '--name', '../evil']);
  assert.equal(name.code, 2);
  assert.match(name.stderr, /invalid kernel name/);
  assert.deepEqual(fs.readdirSync(dir), []);
  const missing = await runCli(['kernel', 'start', '--connection-file', path.join(dir, 'none.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read connection file/);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test("the kernelspec's argv starts the kernel with an empty environment (nothing on PATH); SIGTERM ends it cleanly", async (t) => {
  const dir = tempDir(t);
  assert.equal((await runCli(['kernel', 'install', '--prefix', dir])).code, 0);
  const spec = readSpec(path.join(dir, 'share', 'jupyter', 'kernels', 'llmspell', 'kernel.json'));
  const ports = { shell_port: await freePort(), control_port: await freePort(), stdin_port: await freePort(), iopub_port: await freePort(), hb_port: await freePort() };
  const connection = path.join(dir, 'connection.json');
  fs.writeFileSync(connection, JSON.stringify({ ...ports, ip: '127.0.0.1', transport: 'tcp', key: 'k', signature_scheme: 'hmac-sha256' }));
  const argv = spec.argv.map((a) => a.replace('{connection_file}', connection));
  const child = spawn(argv[0], argv.slice(1), { env: {}, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const deadline = Date.now() + 20_000;
  while (!(await canConnect(ports.shell_port))) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `the kernel did not listen; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const cellDir = path.join(os.tmpdir(), `llmspell_${child.pid}`);
  assert.ok(fs.existsSync(cellDir), 'the kernel keeps its cells there');
  child.kill('SIGTERM');
  const exit = await waitForExit(child, 10_000);
  assert.deepEqual(exit, { code: 0, signal: null }, stderr);
  assert.equal(fs.existsSync(cellDir), false, 'cell files removed at exit');
});

test('SIGTERM while the kernel is still starting ends it cleanly once it can', async (t) => {
  const dir = tempDir(t);
  const connection = path.join(dir, 'connection.json');
  const ports = { shell_port: await freePort(), control_port: await freePort(), stdin_port: await freePort(), iopub_port: await freePort(), hb_port: await freePort() };
  fs.writeFileSync(connection, JSON.stringify({ ...ports, ip: '127.0.0.1', transport: 'tcp', key: 'k', signature_scheme: 'hmac-sha256' }));
  const child = spawn(process.execPath, [cliPath, 'kernel', 'start', '--connection-file', connection], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  // The cell folder appears as the interpreter starts, before the sockets are bound.
  const cellDir = path.join(os.tmpdir(), `llmspell_${child.pid}`);
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(cellDir)) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `no cell folder; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGTERM');
  assert.deepEqual(await waitForExit(child, 20_000), { code: 0, signal: null }, stderr);
  assert.equal(fs.existsSync(cellDir), false, 'cell files removed at exit');
});
