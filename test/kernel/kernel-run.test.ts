// `llmspell kernel run`: scripts started in a real self-started kernel, each in a runtime of its
// own, are DAP threads beside the kernel's interactive one (thread 1). A breakpoint stops one
// script while the others run on; each is stepped, continued and paused on its own, as DAP's
// singleThread says; frame ids and variable references name one thread's objects; a script's
// end is a thread exited event, and its output names the script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connectClient, EventLog, fixture, type T } from '../dap/dap-client.js';
import { cli, eventually, killAtEnd, logLine, logLines, startDaemon, tempRuntimeDir, type Daemon } from '../daemon/helpers.js';
import { execute, jupyterWithDebugger } from '../daemon/daemon-clients.js';

const stops = fixture('kernel', 'scripts', 'stops.lua');
const waits = fixture('kernel', 'scripts', 'waits.lua');
const exits = fixture('kernel', 'scripts', 'exits.lua');
/** Lines of stops.lua: inside step(), its first and second statement. */
const STEP_FIRST = 3;
const STEP_SECOND = 4;

interface Attached { dc: Awaited<ReturnType<typeof connectClient>>; log: EventLog }

async function attach(t: T, k: Daemon): Promise<Attached> {
  const info = JSON.parse(fs.readFileSync(k.connectionFile, 'utf8')) as { dap_port: number; key: string };
  const dc = await connectClient(t, info.dap_port);
  const log = new EventLog(dc);
  const init = await dc.initializeRequest();
  assert.equal(init.body?.supportsSingleThreadExecutionRequests, true, 'advertises singleThread');
  await dc.attachRequest({ token: info.key } as P.AttachRequestArguments);
  await log.next('initialized');
  await dc.configurationDoneRequest();
  return { dc, log };
}

/** `kernel run ID script args...`; returns the thread id it printed. */
async function run(dir: string, k: Daemon, script: string, ...args: string[]): Promise<number> {
  const r = await cli(dir, ['kernel', 'run', k.id, script, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const m = new RegExp(`^Started ${path.basename(script).replace('.', '\\.')} as thread (\\d+) in kernel ${k.id}\\n$`).exec(r.stdout);
  assert.ok(m, `unexpected output: ${JSON.stringify(r.stdout)}`);
  return Number(m[1]);
}

/** The next stopped event of a thread (stops of other threads are left for later). */
async function stoppedOn(log: EventLog, threadId: number): Promise<P.StoppedEvent['body']> {
  const ev = await log.until(() => log.of('stopped').map((e) => e as P.StoppedEvent).find((e) => e.body.threadId === threadId && !claimed.has(e)), `a stop of thread ${threadId}`);
  claimed.add(ev);
  return ev.body;
}
const claimed = new Set<P.Event>();

async function exitedThread(log: EventLog, threadId: number): Promise<P.ThreadEvent['body'] & { exitCode?: number }> {
  const ev = await log.until(() => log.of('thread').map((e) => e as P.ThreadEvent).find((e) => e.body.reason === 'exited' && e.body.threadId === threadId), `thread ${threadId} exited`);
  return ev.body;
}

async function top(dc: Attached['dc'], threadId: number): Promise<P.StackFrame> {
  return (await dc.stackTraceRequest({ threadId, levels: 1 })).body.stackFrames[0];
}

async function localsOf(dc: Attached['dc'], frameId: number): Promise<Record<string, string>> {
  const scopes = await dc.scopesRequest({ frameId });
  const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
  return Object.fromEntries(vars.body.variables.map((v) => [v.name, v.value]));
}

test('two scripts run with kernel run are threads; a breakpoint stops one while the other runs on to its end; pause stops the named thread', async (t) => {
  const dir = tempRuntimeDir();
  const k = await startDaemon(dir);
  const { dc, log } = await attach(t, k);
  await dc.setBreakpointsRequest({ source: { path: stops }, breakpoints: [{ line: STEP_FIRST }] });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), 'work-'));
  const gate = path.join(work, 'gate');
  const out = path.join(work, 'out');

  const a = await run(dir, k, stops);
  const b = await run(dir, k, waits, gate, out);
  assert.notEqual(a, b);
  assert.ok(a > 1 && b > 1, 'thread 1 stays the interactive runtime');

  const stop = await stoppedOn(log, a);
  assert.equal(stop.reason, 'breakpoint');
  assert.equal(stop.allThreadsStopped, false, 'the other threads run on');
  assert.equal(stop.hitBreakpointIds?.length, 1);
  const threads = (await dc.threadsRequest()).body.threads;
  assert.deepEqual(threads, [{ id: 1, name: 'main' }, { id: a, name: 'stops.lua' }, { id: b, name: 'waits.lua' }]);
  for (const id of [a, b]) assert.ok(log.of('thread').some((e) => (e as P.ThreadEvent).body.reason === 'started' && (e as P.ThreadEvent).body.threadId === id), `thread ${id} started event`);
  const status = await cli(dir, ['kernel', 'status', k.id]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`^Scripts: +stops\\.lua \\(thread ${a}, stopped\\), waits\\.lua \\(thread ${b}, running\\)$`, 'm'));
  const json = JSON.parse((await cli(dir, ['kernel', 'status', '--json', k.id])).stdout) as { scripts: { threadId: number; state: string; program: string }[] };
  assert.deepEqual(json.scripts.map((x) => [x.threadId, x.state, x.program]), [[a, 'stopped', stops], [b, 'running', waits]]);

  // B is running while A is stopped: pause stops B alone, continue (singleThread) lets it go.
  await dc.customRequest('pause', { threadId: b, __correlation: 'pause-b' });
  const paused = await stoppedOn(log, b);
  assert.equal((paused as { __correlation?: unknown }).__correlation, 'pause-b', 'the stop is the pause request\'s');
  assert.equal(paused.reason, 'pause');
  assert.equal((await top(dc, b)).source?.path, waits);
  const resumeB = await dc.customRequest('continue', { threadId: b, singleThread: true, __correlation: 'resume-b' });
  assert.equal((resumeB.body as P.ContinueResponse['body']).allThreadsContinued, false, 'A is still stopped');
  assert.equal((await top(dc, a)).line, STEP_FIRST, 'A did not move');

  // B finishes while A stays stopped: its file, its output (naming it), its thread exited event.
  fs.writeFileSync(gate, '');
  const ended = await exitedThread(log, b);
  assert.equal(ended.exitCode, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), 'done after waiting');
  const printed = await log.until(() => log.of('output').map((e) => (e as P.OutputEvent).body as P.OutputEvent['body'] & { threadId?: number }).find((o) => /waits done/.test(o.output)), "B's output");
  assert.equal(printed.category, 'stdout');
  assert.equal(printed.threadId, b);
  assert.equal(printed.source?.path, waits);
  assert.equal((printed as { __correlation?: unknown }).__correlation, 'resume-b', "B's events are its last resume's, not the request that started it");
  assert.deepEqual((await dc.threadsRequest()).body.threads.map((th) => th.id), [1, a], 'B left the threads');
  const frame = await top(dc, a);
  assert.equal(frame.name, 'step');
  assert.equal(frame.line, STEP_FIRST, 'A is still where it stopped');

  // A goes on: without its breakpoint it runs to its end.
  await dc.setBreakpointsRequest({ source: { path: stops }, breakpoints: [] });
  await dc.continueRequest({ threadId: a });
  assert.equal((await exitedThread(log, a)).exitCode, 0);
  await log.outputMatching('stdout', /stops total\t12/);
  assert.deepEqual((await dc.threadsRequest()).body.threads, [{ id: 1, name: 'main' }]);
  // The kernel logged both scripts' output and ends.
  const lines = logLines(k.logFile);
  assert.ok(lines.some((l) => l.msg === 'waits done' && l.thread === b && l.stream === 'stdout'), 'script output in the kernel log');
  for (const id of [a, b]) assert.ok(lines.some((l) => l.msg === 'script ended' && l.thread === id && l.exitCode === 0), `thread ${id}'s end logged`);
  fs.rmSync(work, { recursive: true, force: true });
});

test('two stopped scripts: singleThread steps and continues one alone, continue without it resumes both; frame ids and references name their own thread', async (t) => {
  const dir = tempRuntimeDir();
  const k = await startDaemon(dir);
  const { dc, log } = await attach(t, k);
  await dc.setBreakpointsRequest({ source: { path: stops }, breakpoints: [{ line: STEP_FIRST }] });
  const one = await run(dir, k, stops);
  const two = await run(dir, k, stops);
  await stoppedOn(log, one);
  await stoppedOn(log, two);

  const f1 = await top(dc, one);
  const f2 = await top(dc, two);
  assert.notEqual(f1.id, f2.id, 'frame ids are unique across threads');
  assert.equal((await localsOf(dc, f1.id)).n, '1');
  assert.equal((await localsOf(dc, f2.id)).n, '1');

  // Step thread one alone: two stays stopped (no continued event for it).
  const continuedBefore = log.of('continued').length;
  await dc.nextRequest({ threadId: one, singleThread: true } as P.NextArguments);
  const stepped = await stoppedOn(log, one);
  assert.equal(stepped.reason, 'step');
  assert.equal((await top(dc, one)).line, STEP_SECOND);
  const continuedNow = log.of('continued').slice(continuedBefore).map((e) => (e as P.ContinuedEvent).body);
  assert.deepEqual(continuedNow.map((c) => c.threadId), [one]);
  assert.equal(continuedNow[0].allThreadsContinued, false);
  assert.equal((await top(dc, two)).line, STEP_FIRST, 'two did not move');

  // Continue one alone: it stops at its next call of step(); two still holds n = 1.
  const cont = await dc.continueRequest({ threadId: one, singleThread: true } as P.ContinueArguments);
  assert.equal(cont.body.allThreadsContinued, false);
  await stoppedOn(log, one);
  const g1 = await top(dc, one);
  const g2 = await top(dc, two);
  assert.equal((await localsOf(dc, g1.id)).n, '2');
  assert.equal((await localsOf(dc, g2.id)).n, '1');
  await assert.rejects(dc.scopesRequest({ frameId: f1.id }), /not valid/, "a resumed thread's old frame id names nothing");
  const ev = await dc.evaluateRequest({ expression: 'n * 10', frameId: g1.id, context: 'watch' });
  assert.equal(ev.body.result, '20');

  // Continue without singleThread: every stopped thread goes on (and both stop at their next step()).
  const all = await dc.continueRequest({ threadId: one });
  assert.equal(all.body.allThreadsContinued, true);
  await stoppedOn(log, one);
  await stoppedOn(log, two);
  assert.equal((await localsOf(dc, (await top(dc, one)).id)).n, '3');
  assert.equal((await localsOf(dc, (await top(dc, two)).id)).n, '2');

  // Without breakpoints both run to their end: two thread exited events, no terminated (the kernel goes on).
  await dc.setBreakpointsRequest({ source: { path: stops }, breakpoints: [] });
  await dc.continueRequest({ threadId: two });
  assert.equal((await exitedThread(log, one)).exitCode, 0);
  assert.equal((await exitedThread(log, two)).exitCode, 0);
  assert.equal(log.of('terminated').length, 0);
  assert.deepEqual((await dc.threadsRequest()).body.threads.map((th) => th.id), [1]);
});

test('kernel run: --wait exits with the script\'s code; a limit queues scripts beyond it; bad requests are refused with a reason', async () => {
  const dir = tempRuntimeDir();
  // The kernel takes its limit from its environment (the daemon inherits the CLI's).
  const started = await cli(dir, ['kernel', 'start', '--daemon'], { env: { LLMSPELL_MAX_SCRIPTS: '1' } });
  assert.equal(started.code, 0, started.stderr);
  const m = /^Kernel (\S+) started \(pid (\d+)\)\nConnection file: (.+)\nLog file: (.+)\n$/.exec(started.stdout)!;
  const k: Daemon = { id: m[1], pid: Number(m[2]), connectionFile: m[3], logFile: m[4] };
  killAtEnd(k.pid);

  const waited = await cli(dir, ['kernel', 'run', '--wait', k.id, exits, '3']);
  assert.equal(waited.code, 3, waited.stderr);
  assert.match(waited.stdout, /^exits\.lua \(thread \d+\) in kernel \S+ ended with exit code 3\n$/);

  const work = fs.mkdtempSync(path.join(path.dirname(dir), 'work-'));
  const gate = path.join(work, 'gate');
  await run(dir, k, waits, gate, path.join(work, 'first'));
  const queued = await cli(dir, ['kernel', 'run', k.id, waits, gate, path.join(work, 'second')]);
  assert.equal(queued.code, 0, queued.stderr);
  assert.match(queued.stdout, /^Queued waits\.lua as thread \d+ in kernel \S+: it starts when one of the scripts running there ends\n$/);
  assert.ok(logLines(k.logFile).some((l) => l.msg === 'script queued'));
  assert.match((await cli(dir, ['kernel', 'status', k.id])).stdout, /^Scripts: +waits\.lua \(thread \d+, running\), waits\.lua \(thread \d+, queued\)$/m);
  fs.writeFileSync(gate, '');
  await eventually('both scripts to finish', () => fs.existsSync(path.join(work, 'first')) && fs.existsSync(path.join(work, 'second')));

  const missing = await cli(dir, ['kernel', 'run', k.id, path.join(work, 'nope.lua')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /program not found: .*nope\.lua/);
  const noKernel = await cli(dir, ['kernel', 'run', 'nosuchkernel', stops]);
  assert.equal(noKernel.code, 1);
  assert.match(noKernel.stderr, /no kernel 'nosuchkernel'/);
  fs.rmSync(work, { recursive: true, force: true });
  // Nothing got in the way of the kernel: it still answers.
  assert.equal((await cli(dir, ['kernel', 'status', k.id])).code, 0);
});

test('terminateThreads ends one script (a thread exited event) while the kernel and its other threads go on; an unknown thread is refused by name', async (t) => {
  const dir = tempRuntimeDir();
  const k = await startDaemon(dir);
  const { dc, log } = await attach(t, k);
  const work = fs.mkdtempSync(path.join(path.dirname(dir), 'work-'));
  const gate = path.join(work, 'gate');
  const endless = await run(dir, k, waits, path.join(work, 'never-created'), path.join(work, 'out-1'));
  const other = await run(dir, k, waits, gate, path.join(work, 'out-2'));
  await assert.rejects(dc.customRequest('terminateThreads', { threadIds: [endless, 999] }), /there is no thread 999/);
  assert.deepEqual((await dc.threadsRequest()).body.threads.map((th) => th.id), [1, endless, other], 'a refused request ends nothing');
  await dc.customRequest('terminateThreads', { threadIds: [endless] });
  const ended = await exitedThread(log, endless);
  assert.notEqual(ended.exitCode, 0, 'a terminated script does not end as a success');
  assert.deepEqual((await dc.threadsRequest()).body.threads.map((th) => th.id), [1, other]);
  // The gate opens once the other script runs: a kernel busy enough could start it later.
  await log.until(() => log.of('output').map((e) => (e as P.OutputEvent).body as P.OutputEvent['body'] & { threadId?: number }).find((o) => o.threadId === other && /waiting/.test(o.output)), 'the other script to run');
  fs.writeFileSync(gate, '');
  assert.equal((await exitedThread(log, other)).exitCode, 0);
  assert.equal(fs.readFileSync(path.join(work, 'out-2'), 'utf8'), 'done after waiting');
  assert.equal(fs.existsSync(path.join(work, 'out-1')), false);
  fs.rmSync(work, { recursive: true, force: true });
});

test('SIGQUIT stops the running code (the cell, every script) and the kernel goes on', async (t) => {
  const dir = tempRuntimeDir();
  const k = await startDaemon(dir);
  const { dc, log } = await attach(t, k);
  const j = await jupyterWithDebugger(t, k);
  const work = fs.mkdtempSync(path.join(path.dirname(dir), 'work-'));
  const never = path.join(work, 'never-created');
  const one = await run(dir, k, waits, never, path.join(work, 'out-1'));
  const two = await run(dir, k, waits, never, path.join(work, 'out-2'));
  const cell = execute(j, 'while true do end');
  await j.next((m) => m.channel === 'iopub' && m.msg.parent_header.msg_id === cell && m.msg.header.msg_type === 'execute_input', 'the endless cell to start');
  process.kill(k.pid, 'SIGQUIT');
  const reply = await j.reply(cell);
  assert.equal((reply.content as { status?: string }).status, 'error');
  assert.match(String((reply.content as { evalue?: string }).evalue), /interrupted/);
  for (const id of [one, two]) assert.notEqual((await exitedThread(log, id)).exitCode, 0, `thread ${id} ended`);
  const said = await logLine(k.logFile, /stopping the running code \(SIGQUIT\)/);
  assert.equal(said.scriptsEnded, 2);
  assert.equal(said.cellInterrupted, true);
  // Still serving: threads, a new cell, a new script.
  assert.deepEqual((await dc.threadsRequest()).body.threads, [{ id: 1, name: 'main' }]);
  const again = execute(j, 'print(6 * 7)');
  assert.equal((await j.finished(again)).content.status, 'ok');
  assert.equal(j.streamOf(again), '42\n');
  const gate = path.join(work, 'gate');
  fs.writeFileSync(gate, '');
  const three = await run(dir, k, waits, gate, path.join(work, 'out-3'));
  assert.equal((await exitedThread(log, three)).exitCode, 0);
  fs.rmSync(work, { recursive: true, force: true });
});
