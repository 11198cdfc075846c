// `llmspell kernel start --daemon` end to end: real daemons in a temporary runtime directory,
// their files and modes, the pid-file rules, and what each signal does.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConnectionFile } from '../../src/jupyter/connection-file.js';
import { JupyterClient } from '../../src/jupyter/client.js';
import { fixture, spawnCli, waitForExit, waitForOutput } from '../e2e/helpers.js';
import { alive, cli, deadPid, eventually, logLine, startDaemon, tempRuntimeDir, type Daemon } from './helpers.js';

const mode = (file: string): number => fs.statSync(file).mode & 0o777;

describe('a daemon kernel', () => {
  const dir = tempRuntimeDir();
  let d: Daemon;
  before(async () => { d = await startDaemon(dir, ['--id', 'svc']); });

  test('writes a 0600 connection file with its id, pid and DAP port, and a pid file, in a 0700 runtime directory', () => {
    assert.equal(d.id, 'svc');
    assert.equal(d.connectionFile, path.join(dir, 'kernel-svc.json'));
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(d.connectionFile), 0o600);
    assert.equal(mode(d.logFile), 0o600);
    const info = JSON.parse(fs.readFileSync(d.connectionFile, 'utf8')) as Record<string, unknown>;
    assert.equal(info.kernel_id, 'svc');
    assert.equal(info.pid, d.pid);
    assert.equal(info.ip, '127.0.0.1');
    assert.equal(info.transport, 'tcp');
    assert.equal(info.signature_scheme, 'hmac-sha256');
    assert.match(String(info.key), /^[0-9a-f]{64}$/);
    const ports = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port', 'dap_port'].map((p) => info[p] as number);
    for (const p of ports) assert.ok(Number.isInteger(p) && p > 0, `port ${p}`);
    assert.equal(new Set(ports).size, 6, 'six distinct ports');
    assert.equal(fs.readFileSync(path.join(dir, 'kernel-svc.pid'), 'utf8'), `${d.pid}\n`);
    assert.ok(alive(d.pid));
  });

  test('a second start on the same pid file, or with the same id, is refused', async () => {
    const samePidFile = await cli(dir, ['kernel', 'start', '--daemon', '--id', 'other', '--pid-file', path.join(dir, 'kernel-svc.pid')]);
    assert.equal(samePidFile.code, 1, samePidFile.stderr);
    assert.match(samePidFile.stderr, new RegExp(`pid file .*kernel-svc\\.pid is held by running process ${d.pid}`));
    const sameId = await cli(dir, ['kernel', 'start', '--daemon', '--id', 'svc']);
    assert.equal(sameId.code, 1);
    assert.match(sameId.stderr, /held by running process/);
    assert.equal(fs.existsSync(path.join(dir, 'kernel-other.json')), false);
    assert.ok(alive(d.pid), 'the running kernel is untouched');
  });

  test('kernel list and kernel status show it alive', async () => {
    const list = await cli(dir, ['kernel', 'list']);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^ID\s+PID\s+STATE\s+IP\s+SHELL\s+IOPUB\s+STDIN\s+CONTROL\s+HB\s+DAP\s+CLIENTS$/m);
    assert.match(list.stdout, new RegExp(`^svc\\s+${d.pid}\\s+alive\\s+127\\.0\\.0\\.1\\s`, 'm'));
    const json = JSON.parse((await cli(dir, ['kernel', 'list', '--json'])).stdout) as { id: string; state: string; pid: number; ports: { dap: number } }[];
    assert.deepEqual(json.map((k) => [k.id, k.state, k.pid]), [['svc', 'alive', d.pid]]);
    const status = await cli(dir, ['kernel', 'status', 'sv']); // a unique prefix
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /^State:\s+alive$/m);
    assert.match(status.stdout, new RegExp(`^DAP port:\\s+${json[0].ports.dap}$`, 'm'));
  });

  test('kernel connect runs input over the Jupyter protocol, incomplete input continuing', async () => {
    const r = await cli(dir, ['kernel', 'connect', 'svc'], { stdin: 'x = 1 + 1\nx\nfor i = 1, 2 do\n  print("i", i)\nend\nerror("boom")\nio.write("name? "); print("hello " .. io.read())\nLua\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '2\ni\t1\ni\t2\nname? hello Lua\n');
    assert.match(r.stderr, /boom/);
  });

  test('kernel interrupt stops the running cell, whoever sent it; the kernel goes on', async () => {
    const consoleRun = spawnCli(['kernel', 'connect', 'svc'], { keepStdinOpen: true, env: { LLMSPELL_RUNTIME_DIR: dir } });
    let stderr = '';
    consoleRun.stderr!.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    consoleRun.stdin!.write('print("spinning") while true do end\n');
    await waitForOutput(consoleRun.stdout!, 'spinning\n');
    const r = await cli(dir, ['kernel', 'interrupt', 'svc']);
    assert.equal(r.stdout, 'Interrupted kernel svc\n');
    consoleRun.stdin!.end('print("still here")\n');
    await waitForOutput(consoleRun.stdout!, 'still here\n');
    assert.deepEqual(await waitForExit(consoleRun, 10_000), { code: 0, signal: null });
    assert.match(stderr, /interrupted!/);
  });

  test('SIGUSR2 toggles debug logging, and says so in the log', async () => {
    process.kill(d.pid, 'SIGUSR2');
    const on = await logLine(d.logFile, /debug logging enabled \(SIGUSR2\)/);
    assert.equal(on.log_level, 'debug');
    // Debug lines flow now: a request is logged.
    await cli(dir, ['kernel', 'connect', 'svc'], { stdin: 'y = 3\n' });
    await logLine(d.logFile, /^request$/);
    process.kill(d.pid, 'SIGUSR2');
    const off = await logLine(d.logFile, /debug logging disabled \(SIGUSR2\)/);
    assert.equal(off.log_level, 'info');
  });

  test('SIGUSR1 writes a status dump to the log, with the breakpoints a client set', async () => {
    // A Jupyter client sets a breakpoint through the debugger protocol, and stays connected.
    const client = new JupyterClient(readConnectionFile(d.connectionFile));
    try {
      await client.connect();
      let seq = 0;
      const debug = async (command: string, args: Record<string, unknown>): Promise<Record<string, unknown>> =>
        (await client.request('control', 'debug_request', { type: 'request', seq: ++seq, command, arguments: args }).reply).content;
      await debug('initialize', { adapterID: 'test', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      await debug('attach', {});
      const source = fixture('debug', 'accounts.lua');
      const set = await debug('setBreakpoints', { source: { path: source }, breakpoints: [{ line: 12, condition: 'v > 10' }] });
      assert.equal(set.success, true, JSON.stringify(set));

      process.kill(d.pid, 'SIGUSR1');
      const line = await logLine(d.logFile, /status \(SIGUSR1\)/);
      const s = line.status as { kernel_id: string; pid: number; runtime: { state: string; execution_count: number }; breakpoints: { source: string; line: number; condition?: string; owner: string }[]; clients: { id: string; kind: string; breakpoints: number }[]; connection_file: string };
      assert.equal(s.kernel_id, 'svc');
      assert.equal(s.pid, d.pid);
      assert.equal(s.connection_file, d.connectionFile);
      assert.equal(s.runtime.state, 'idle');
      assert.ok(s.runtime.execution_count >= 1, 'the cells run so far');
      assert.deepEqual(s.breakpoints.map((b) => [b.source, b.line, b.condition]), [[source, 12, 'v > 10']]);
      // The client that set it, as the kernel's client registry knows it.
      const owner = s.breakpoints[0].owner;
      assert.deepEqual(s.clients.filter((c) => c.id === owner).map((c) => [c.kind, c.breakpoints]), [['jupyter', 1]]);
    } finally {
      client.close();
    }
  });

  test('SIGHUP reopens the log file (after logrotate moved it)', async () => {
    fs.renameSync(d.logFile, `${d.logFile}.1`);
    process.kill(d.pid, 'SIGHUP');
    await logLine(d.logFile, /log file reopened \(SIGHUP\)/);
    assert.equal(mode(d.logFile), 0o600);
    assert.ok(alive(d.pid));
  });

  test('SIGTERM shuts it down and removes its pid and connection files', async () => {
    process.kill(d.pid, 'SIGTERM');
    await eventually('the kernel to exit', () => !alive(d.pid));
    assert.equal(fs.existsSync(d.connectionFile), false);
    assert.equal(fs.existsSync(path.join(dir, 'kernel-svc.pid')), false);
    await logLine(d.logFile, /kernel files removed/);
    assert.match((await cli(dir, ['kernel', 'list'])).stdout, /^No kernels in /);
  });
});

describe('stale files and kernel stop', () => {
  test('a stale pid file is replaced; kernel stop ends the kernel and removes its files', async () => {
    const dir = tempRuntimeDir();
    fs.mkdirSync(dir, { recursive: true });
    const pidFile = path.join(dir, 'svc.pid');
    const gone = await deadPid();
    fs.writeFileSync(pidFile, `${gone}\n`);
    const d = await startDaemon(dir, ['--pid-file', pidFile]);
    assert.match(d.id, /^[0-9a-f]{8}$/);
    assert.equal(fs.readFileSync(pidFile, 'utf8'), `${d.pid}\n`);
    const warned = await logLine(d.logFile, /removed a stale pid file/);
    assert.equal(warned.stalePid, gone);

    const stop = await cli(dir, ['kernel', 'stop', d.id]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, `Kernel ${d.id} stopped\n`);
    assert.equal(alive(d.pid), false);
    assert.equal(fs.existsSync(pidFile), false);
    assert.equal(fs.existsSync(d.connectionFile), false);
  });

  test('kernel list flags a stale connection file; status says stale; stop removes it', async () => {
    const dir = tempRuntimeDir();
    fs.mkdirSync(dir, { recursive: true });
    const gone = await deadPid();
    const file = path.join(dir, 'kernel-ghost.json');
    const pidFile = path.join(dir, 'kernel-ghost.pid');
    fs.writeFileSync(file, JSON.stringify({ transport: 'tcp', ip: '127.0.0.1', shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5, dap_port: 6, key: 'k', signature_scheme: 'hmac-sha256', kernel_id: 'ghost', pid: gone, pid_file: pidFile }));
    fs.writeFileSync(pidFile, `${gone}\n`);
    const list = await cli(dir, ['kernel', 'list']);
    assert.match(list.stdout, new RegExp(`^ghost\\s+${gone}\\s+stale\\s`, 'm'));
    assert.match(list.stdout, /1 stale or unreadable connection file .*`llmspell kernel stop ID` removes it/);
    const status = await cli(dir, ['kernel', 'status', 'ghost']);
    assert.equal(status.code, 1);
    assert.match(status.stdout, /^State:\s+stale/m);
    const connect = await cli(dir, ['kernel', 'connect', 'ghost'], { stdin: '1\n' });
    assert.equal(connect.code, 1);
    assert.match(connect.stderr, /kernel ghost is not running/);
    const stop = await cli(dir, ['kernel', 'stop', 'ghost']);
    assert.equal(stop.stdout, 'Kernel ghost was not running; removed its files\n');
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  test('an unknown kernel id is an error that says where it looked', async () => {
    const dir = tempRuntimeDir();
    for (const cmd of ['status', 'stop', 'connect']) {
      const r = await cli(dir, ['kernel', cmd, 'nope']);
      assert.equal(r.code, 1, cmd);
      assert.equal(r.stderr, `llmspell: no kernel 'nope' in ${dir} (\`llmspell kernel list\` shows the kernels there; LLMSPELL_RUNTIME_DIR chooses the directory)\n`);
    }
  });
});
