// `--trace LEVEL`: structured log lines on stderr (JSON, one a line) with time, level,
// component and the request's correlation id; before or after the command name; `.trace`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPiped } from './cli-session.js';

interface LogLine { time: string; level: string; component: string; msg: string; req?: number; [k: string]: unknown }

function parseLog(stderr: string): LogLine[] {
  return stderr.split('\n').filter((l) => l.length > 0).map((l) => {
    const o = JSON.parse(l) as LogLine; // every line is JSON
    assert.ok(!Number.isNaN(Date.parse(o.time)), `time in ${l}`);
    assert.match(o.level, /^(error|warn|info|debug|trace)$/, `level in ${l}`);
    assert.equal(typeof o.component, 'string', `component in ${l}`);
    return o;
  });
}

test('--trace debug before the command: the debugger logs its start, stops and each command with its id', async () => {
  const r = await runPiped(['--trace', 'debug', 'debug', 'orders.lua', '--break-at', 'pricing.lua:8'], ['.locals', 'unit', '.c', '.q']);
  assert.match(r.stdout, /Stopped at lib\/pricing.lua:8 \(breakpoint 1\)/, 'stdout stays plain');
  const log = parseLog(r.stderr);
  assert.ok(log.every((l) => l.component === 'terminal'));
  assert.deepEqual(log.find((l) => l.msg === 'starting')?.breaks, 1);
  const stops = log.filter((l) => l.msg === 'stopped');
  assert.deepEqual(stops.map((l) => [l.reason, l.where]), [['breakpoint', 'lib/pricing.lua:8'], ['breakpoint', 'lib/pricing.lua:8']]);
  const requests = log.filter((l) => l.msg === 'request').map((l) => [l.req, l.kind, l.text]);
  assert.deepEqual(requests, [[1, 'command', '.locals'], [2, 'evaluate', 'unit'], [3, 'command', '.c'], [4, 'command', '.q']]);
  // Each request's end carries the same id.
  assert.deepEqual(log.filter((l) => l.msg === 'done').map((l) => l.req), [1, 2, 3, 4]);
  assert.equal(log.find((l) => l.msg === 'done' && l.req === 3)?.result, 'resumed');
});

test('--trace after the command name (llmspell repl --trace debug); off and the default print nothing', async () => {
  const r = await runPiped(['repl', '--trace', 'debug'], ['1 + 1']);
  assert.equal(r.stdout, '2\n');
  const log = parseLog(r.stderr);
  assert.deepEqual(log.map((l) => [l.component, l.msg]), [['repl', 'session started'], ['repl', 'request']]);
  assert.equal(log[1].text, '1 + 1');
  for (const args of [['--trace', 'off', 'repl'], ['repl']]) {
    const quiet = await runPiped(args, ['1 + 1', 'error("x")']);
    assert.equal(quiet.stderr, '', `${args.join(' ')}: no logs`);
  }
});

test('.trace on|off|LEVEL changes the level during the session', async () => {
  const r = await runPiped(['repl'], ['"quiet"', '.trace on', '"loud"', '.trace off', '"quiet again"']);
  assert.equal(r.stdout, 'quiet\nTrace level: debug\nloud\nTrace level: off\nquiet again\n');
  const log = parseLog(r.stderr);
  assert.deepEqual(log.filter((l) => l.msg === 'request').map((l) => l.text), ['"loud"', '.trace off']);
});

test('an unknown level is a usage error', async () => {
  const r = await runPiped(['--trace', 'loud', 'repl'], []);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid trace level 'loud': use one of off, error, warn, info, debug, trace/);
});
