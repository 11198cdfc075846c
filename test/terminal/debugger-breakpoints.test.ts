// `llmspell debug` through pipes: breakpoints from --break-at and from .break, by path and by
// bare file name, with conditions; .breaks, .delete, .clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertTranscript, fixtures, repoRoot, runPiped } from './cli-session.js';

const app = path.join(fixtures, 'app');
const withLuaPath = { ...process.env, LUA_PATH: '../vendor/?.lua;;' };

test('--break-at takes a path relative to the working directory and a bare name of a loadable file', async () => {
  // From the repository root: the script's own module is found by name under the script's folder.
  const r = await runPiped(
    ['debug', 'test/fixtures/terminal/orders.lua', '--break-at', 'pricing.lua:8', '--break-at', 'test/fixtures/terminal/orders.lua:12'],
    ['.breaks', '.continue', 'item.name', '.continue', 'count', '.clear', '.continue'],
    { cwd: repoRoot },
  );
  assertTranscript(r,
    'Breakpoint 1 at test/fixtures/terminal/lib/pricing.lua:8',
    'Breakpoint 2 at test/fixtures/terminal/orders.lua:12',
    'Debugging test/fixtures/terminal/orders.lua. Type .help for commands.',
    'Stopped at test/fixtures/terminal/lib/pricing.lua:8 (breakpoint 1)',
    '->    8 |   local v = unit * item.qty',
    '  1: test/fixtures/terminal/lib/pricing.lua:8',
    '  2: test/fixtures/terminal/orders.lua:12',
    'Stopped at test/fixtures/terminal/orders.lua:12 (breakpoint 2)',
    '->   12 |     count = count + 1',
    '"pen"',
    'Stopped at test/fixtures/terminal/lib/pricing.lua:8 (breakpoint 1)',
    '->    8 |   local v = unit * item.qty',
    '1',
    'Deleted all breakpoints',
    'total\t37.5',
    'count\t4',
    'Script exited with code 0',
  );
  assert.equal(r.code, 0);
});

test("--break-at 'FILE:LINE if COND' stops only where the condition holds", async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:11 if i > 2'], ['i', '.c', 'i .. ":" .. item.name', '.c']);
  assertTranscript(r,
    'Breakpoint 1 at orders.lua:11 if i > 2',
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at orders.lua:11 (breakpoint 1)',
    '->   11 |     sum = sum + v',
    '3',
    'Stopped at orders.lua:11 (breakpoint 1)',
    '->   11 |     sum = sum + v',
    '"4:cap"',
    'total\t37.5',
    'count\t4',
    'Script exited with code 0',
  );
});

test('.break with a condition, a bare name, a relative path and a line alone; .bl .d .clear', async () => {
  // No --break-at: the debugger stops on entry so breakpoints can be set.
  const r = await runPiped(['debug', 'orders.lua'], [
    '.break pricing.lua:8 if item.qty == 3',
    '.b ./orders.lua:12',
    '.bl',
    '.c',
    'item.name',
    '.d 2',
    '.c',
    'item.name',
    '.b 9',
    '.breaks',
    '.delete 1',
    '.delete 1',
    '.delete',
    '.c',
    '.clear',
    '.bl',
    '.c',
  ]);
  assertTranscript(r,
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at orders.lua:2 (entry)',
    '->    2 | local pricing = require("lib.pricing")',
    'Breakpoint 1 at lib/pricing.lua:8 if item.qty == 3',
    'Breakpoint 2 at orders.lua:12',
    '  1: lib/pricing.lua:8 if item.qty == 3',
    '  2: orders.lua:12',
    'Stopped at orders.lua:12 (breakpoint 2)',
    '->   12 |     count = count + 1',
    '"pen"',
    'Deleted breakpoint 2',
    'Stopped at lib/pricing.lua:8 (breakpoint 1)',
    '->    8 |   local v = unit * item.qty',
    '"pad"',
    'Breakpoint 3 at lib/pricing.lua:9',
    '  1: lib/pricing.lua:8 if item.qty == 3',
    '  3: lib/pricing.lua:9',
    'Deleted breakpoint 1',
    'no breakpoint 1 (see .breaks)',
    'no breakpoint (missing N) (see .breaks)',
    'Stopped at lib/pricing.lua:9 (breakpoint 3)',
    '->    9 |   return v',
    'Deleted all breakpoints',
    'No breakpoints.',
    'total\t37.5',
    'count\t4',
    'Script exited with code 0',
  );
});

test('a bare name is found on LUA_PATH before it loads, and among loaded files once loaded', async () => {
  const r = await runPiped(['debug', 'main.lua', '--break-at', 'tax.lua:3', '--break-at', 'main.lua:6'], [
    'amount',
    '.b util.lua:3', // util.lua is loaded by dofile from a folder no search covers: not yet
    '.c',
    '.b util.lua:3', // now it is loaded
    '.c',
    's',
    '.c',
  ], { cwd: app, env: withLuaPath });
  const vendor = path.join(fixtures, 'vendor/tax.lua');
  const shared = path.join(fixtures, 'shared/util.lua');
  assertTranscript(r,
    `Breakpoint 1 at ${vendor}:3`,
    'Breakpoint 2 at main.lua:6',
    'Debugging main.lua. Type .help for commands.',
    `Stopped at ${vendor}:3 (breakpoint 1)`,
    '->    3 |   local with = amount * 1.2',
    '100',
    'no file named util.lua is loaded or found under ., ../vendor; give its path',
    'Stopped at main.lua:6 (breakpoint 2)',
    '->    6 | print(util.shout("total " .. amount))',
    `Breakpoint 3 at ${shared}:3`,
    `Stopped at ${shared}:3 (breakpoint 3)`,
    '->    3 |   local r = s:upper() .. "!"',
    '"total 120.0"',
    'TOTAL 120.0!',
    'Script exited with code 0',
  );
});

test('a --break-at naming no file is a usage error; a condition that fails or does not compile says why', async () => {
  const missing = await runPiped(['debug', 'orders.lua', '--break-at', 'nosuch.lua:3'], []);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'llmspell: --break-at nosuch.lua:3: no file named nosuch.lua is loaded or found under .; give its path\n');
  const shape = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua'], []);
  assert.equal(shape.code, 2);
  assert.match(shape.stderr, /invalid breakpoint 'orders.lua': use FILE:LINE or 'FILE:LINE if CONDITION'/);
  const failing = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:11 if nosuch.x > 1'], ['.q']);
  assertTranscript(failing,
    'Breakpoint 1 at orders.lua:11 if nosuch.x > 1',
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at orders.lua:11 (breakpoint 1)',
    '->   11 |     sum = sum + v',
    "Error in breakpoint condition 'nosuch.x > 1': attempt to index a nil value (global 'nosuch')",
  );
  const bad = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:11 if i >'], []);
  assert.match(bad.stdout, /^Breakpoint 1 at orders.lua:11 if i > \(condition does not compile: .*\)$/m);
  assert.match(bad.stdout, /Script exited with code 0/);
});

test('a .break on a name that matches several files lists them', async () => {
  // The REPL searches the working directory: from the repository root, main.lua is in more than one fixture folder.
  const r = await runPiped(['repl'], ['.b main.lua:1'], { cwd: repoRoot });
  assert.match(r.stdout, /^main\.lua matches several files: .*test\/fixtures\/debug\/modules\/main\.lua.*test\/fixtures\/terminal\/app\/main\.lua.*; give more of the path$/m);
});
