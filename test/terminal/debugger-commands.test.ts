// `llmspell debug` through pipes: every command and its aliases, Lua lines in the selected
// frame, and errors in typed code that leave the session running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertTranscript, fixtures, runPiped } from './cli-session.js';

test('stepping: .step .next .out .continue and the aliases .n .finish .s .o', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:10 if i == 4'], [
    '.step', '.next', '.n', 'v', '.out', '.next', '.s', '.finish', '.o',
  ]);
  assertTranscript(r,
    'Breakpoint 1 at orders.lua:10 if i == 4',
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at orders.lua:10 (breakpoint 1)',
    '->   10 |     local v = pricing.price(item)',
    'Stopped at lib/pricing.lua:7 (step)',
    '->    7 |   local unit = M.unit[item.name]',
    'Stopped at lib/pricing.lua:8 (step)',
    '->    8 |   local v = unit * item.qty',
    'Stopped at lib/pricing.lua:9 (step)',
    '->    9 |   return v',
    '4',
    'Stopped at orders.lua:11 (step)',
    '->   11 |     sum = sum + v',
    'Stopped at orders.lua:12 (step)',
    '->   12 |     count = count + 1',
    'Stopped at orders.lua:9 (step)',
    '->    9 |   for i, item in ipairs(items) do',
    'total\t37.5',
    'Stopped at orders.lua:24 (step)',
    '->   24 | print("count", count)',
    'count\t4',
    'Script exited with code 0',
  );
  assert.equal(r.code, 0);
});

test('.continue (.c) runs to the next breakpoint or the end; a resume when not stopped is refused', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'pricing.lua:9'], ['.continue', '.c', '.c', '.c']);
  const stops = r.stdout.match(/^Stopped at lib\/pricing.lua:9 \(breakpoint 1\)$/gm) ?? [];
  assert.equal(stops.length, 4);
  assert.match(r.stdout, /total\t37.5\ncount\t4\nScript exited with code 0\n$/);
});

test('frames: .stack .bt .where, .up .down .frame N .f, .locals .l .upvalues .u, .list .ls', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'pricing.lua:8 if item.name == "pad"'], [
    '.stack', '.locals', '.upvalues',
    '.up', '.locals', '.u',
    '.frame 3', '.l', '.f', '.f 9', '.up',
    '.down', '.down', '.down',
    '.bt', '.where',
    '.list', '.ls 1', '.list x',
    '.f 2', 'i', '.list 2',
  ]);
  assertTranscript(r,
    'Breakpoint 1 at lib/pricing.lua:8 if item.name == "pad"',
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at lib/pricing.lua:8 (breakpoint 1)',
    '->    8 |   local v = unit * item.qty',
    '> #1 M.price at lib/pricing.lua:8',
    '  #2 total at orders.lua:10',
    '  #3 main chunk at orders.lua:23',
    '  item = {name="pad", qty=3}',
    '  unit = 3',
    '  M = {price=function, unit={…}}',
    // .up
    '#2 total at orders.lua:10',
    '->   10 |     local v = pricing.price(item)',
    '  items = {{…}, {…}, {…}, {…}}',
    '  sum = 12',
    '  i = 3',
    '  item = {name="pad", qty=3}',
    '  _ENV = {_G={…}, _VERSION="Lua 5.4", arg={…}, assert=function, collectgarbage=function, …}',
    '  pricing = {price=function, unit={…}}',
    '  TAX = 0.5',
    // .frame 3
    '#3 main chunk at orders.lua:23',
    '->   23 | print("total", total(items))',
    '  pricing = {price=function, unit={…}}',
    '  TAX = 0.5',
    '  total = function orders.lua:7',
    '  items = {{…}, {…}, {…}, {…}}',
    '#3 main chunk at orders.lua:23',
    'no frame 9 (see .stack)',
    'already at the outermost frame',
    // .down ×3
    '#2 total at orders.lua:10',
    '->   10 |     local v = pricing.price(item)',
    '#1 M.price at lib/pricing.lua:8',
    '->    8 |   local v = unit * item.qty',
    'already at the innermost frame',
    '> #1 M.price at lib/pricing.lua:8',
    '  #2 total at orders.lua:10',
    '  #3 main chunk at orders.lua:23',
    '> #1 M.price at lib/pricing.lua:8',
    '  #2 total at orders.lua:10',
    '  #3 main chunk at orders.lua:23',
    // .list: 5 lines each side, cut at the end of the file
    '      3 | ',
    '      4 | M.unit = { pen = 2, ink = 5, pad = 3, cap = 1 }',
    '      5 | ',
    '      6 | function M.price(item)',
    '      7 |   local unit = M.unit[item.name]',
    '->    8 |   local v = unit * item.qty',
    '      9 |   return v',
    '     10 | end',
    '     11 | ',
    '     12 | return M',
    '      7 |   local unit = M.unit[item.name]',
    '->    8 |   local v = unit * item.qty',
    '      9 |   return v',
    'usage: .list [N]',
    // a line is evaluated in the selected frame
    '#2 total at orders.lua:10',
    '->   10 |     local v = pricing.price(item)',
    '3',
    '      8 |   local sum = 0',
    '      9 |   for i, item in ipairs(items) do',
    '->   10 |     local v = pricing.price(item)',
    '     11 |     sum = sum + v',
    '     12 |     count = count + 1',
    '(end of input: ending the script)',
  );
});

test('.globals (.g) lists globals, the script\'s own among them', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:12'], ['.globals', '.g']);
  const lists = r.stdout.split(/^  _G = /m).slice(1);
  assert.equal(lists.length, 2);
  for (const l of lists) {
    assert.match(l, /^  count = 0$/m);
    assert.match(l, /^  print = builtin function$/m);
    assert.match(l, /^  string = \{byte=function, /m);
    assert.doesNotMatch(l, /^  TAX = /m, 'a local is not a global');
  }
});

test('.watch (.w) shows expressions at every stop; .unwatch (.uw); the debugger stops on an uncaught error', async () => {
  const r = await runPiped(['debug', 'fails.lua'], [
    '.watch total', '.w records[1].qty +', '.c', 'record.name', '.up', '.w total * 2', '.unwatch 2', '.uw 9', '.unwatch', '.c',
  ]);
  assertTranscript(r,
    'Debugging fails.lua. Type .help for commands.',
    'Stopped at fails.lua:7 (entry)',
    '->    7 | end',
    'Watch 1: total',
    '  watch 1: total = nil',
    'Watch 2: records[1].qty +',
    '  watch 2: records[1].qty + = <unexpected symbol near <eof>>',
    `Stopped at fails.lua:4 (error: ${path.join(fixtures, 'fails.lua')}:4: negative quantity for pad)`,
    '->    4 |     error("negative quantity for " .. record.name)',
    '  watch 1: total = nil',
    '  watch 2: records[1].qty + = <unexpected symbol near <eof>>',
    '"pad"',
    '#2 main chunk at fails.lua:12',
    '->   12 |   total = total + check(r)',
    'Watch 3: total * 2',
    '  watch 3: total * 2 = 6',
    'Removed watch 2',
    'no watch 9 (2 set)',
    'no watch (missing N) (2 set)',
    'Script exited with code 1',
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /fails.lua:4: negative quantity for pad\nstack traceback:/);
});

test('Lua lines in the frame: values, assignments, and errors that do not end the session', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'pricing.lua:8 if item.name == "ink"'], [
    'item.qty * 100',
    'item.qty ==', // syntax error
    'error("boom")', // runtime error raised by the line
    'nil + 1', // runtime error in an expression
    'unit = 50', // assigns the frame's local
    '.nosuch',
    '.n',
    'v',
    '.c',
  ]);
  assertTranscript(r,
    'Breakpoint 1 at lib/pricing.lua:8 if item.name == "ink"',
    'Debugging orders.lua. Type .help for commands.',
    'Stopped at lib/pricing.lua:8 (breakpoint 1)',
    '->    8 |   local v = unit * item.qty',
    '200',
    "error: syntax error near '=='",
    'error: boom',
    'error: attempt to perform arithmetic on a nil value',
    'unknown command .nosuch (type .help for the list)',
    'Stopped at lib/pricing.lua:9 (step)',
    '->    9 |   return v',
    '100',
    'total\t172.5', // ink at 50 a unit: (2 + 100 + 9 + 4) × 1.5
    'count\t4',
    'Script exited with code 0',
  );
});

test('.help (.h .?) lists every command with its aliases; .trace; .pause when stopped; .quit (.q .exit) ends the script', async () => {
  const r = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:12'], [
    '.help', '.h', '.?', '.trace', '.trace bogus', '.trace error', '.trace', '.trace off', '.pause', '.p', '.quit', '.c',
  ]);
  const helps = r.stdout.split('  .break FILE:LINE [if COND]').slice(1);
  assert.equal(helps.length, 3);
  const names = ['.break', '.delete', '.clear', '.breaks', '.step', '.next', '.out', '.continue', '.pause', '.locals', '.upvalues', '.globals',
    '.stack', '.frame N', '.up', '.down', '.watch EXPR', '.unwatch N', '.list', '.trace', '.help', '.quit'];
  for (const n of names.slice(1)) assert.match(r.stdout, new RegExp(`^  \\${n}`, 'm'), `${n} in .help`);
  assert.match(r.stdout, /^  \.stack .*\(\.bt, \.where\)$/m);
  assert.match(r.stdout, /^  \.quit .*\(\.q, \.exit\)$/m);
  const tail = r.stdout.slice(r.stdout.lastIndexOf('Any other line is Lua'));
  assert.equal(tail, [
    'Any other line is Lua, evaluated in the selected frame: its value is printed.',
    'Trace level: warn',
    'usage: .trace on|off|error|warn|info|debug|trace',
    'Trace level: error',
    'Trace level: error',
    'Trace level: off',
    '(already stopped)',
    '(already stopped)',
    '',
  ].join('\n'));
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /total\t/, '.quit ended the script before it printed');
  for (const alias of ['.q', '.exit']) {
    const q = await runPiped(['debug', 'orders.lua', '--break-at', 'orders.lua:12'], [alias, '.c']);
    assert.doesNotMatch(q.stdout, /total\t|Script exited/);
    assert.equal(q.code, 0);
  }
});

test('-- passes arguments to the script', async () => {
  const r = await runPiped(['debug', 'args.lua', '--', 'one', '--two'], ['.c']);
  assert.match(r.stdout, /^args\t2\tone\t--two$/m);
});
