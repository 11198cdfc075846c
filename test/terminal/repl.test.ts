// `llmspell repl` through pipes: values, statements, state across lines, continuation lines,
// .load, breakpoints in loaded code, errors that keep the session, Ctrl-C (SIGINT).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assertTranscript, CliSession, fixtures, runPiped } from './cli-session.js';

test('expressions print their values; statements run; globals stay across lines; open blocks continue', async () => {
  const r = await runPiped(['repl'], [
    '1 + 1',
    'x = 5',
    'x * 2',
    '"a", 2, nil',
    'function add(a, b)', // an open function continues…
    '  return a + b + x',
    'end',
    'add(1, 2)',
    't = {', // …so does an open table…
    '  10,',
    '  20,',
    '}',
    '#t',
    'for i = 1, 2 do', // …and an open for
    '  print("i", i)',
    'end',
    'local hidden = 1', // a local lives for its own line, as in lua
    'hidden',
  ]);
  assertTranscript(r, '2', '10', 'a\t2\tnil', '8', '2', 'i\t1', 'i\t2', 'nil');
  assert.equal(r.code, 0);
});

test('errors in typed code print and the session goes on', async () => {
  const r = await runPiped(['repl'], [
    'x = 5',
    'if x >', // continues…
    'local = 3', // …into a syntax error
    'error("bad")',
    'nil .. "x"',
    'x',
  ]);
  assertTranscript(r,
    "stdin:2: unexpected symbol near 'local'",
    'stdin:1: bad',
    'stack traceback:',
    "\t[C]: in function 'error'",
    '\tstdin:1: in main chunk',
    'stdin:1: attempt to concatenate a nil value',
    'stack traceback:',
    '\tstdin:1: in main chunk',
    '5',
  );
  assert.equal(r.code, 0);
});

test('.load runs a file in the session; a breakpoint in it stops when a typed line calls into it', async () => {
  const r = await runPiped(['repl'], [
    '.load greet.lua',
    'loaded, greet("ann")',
    '.b greet.lua:3',
    'greet("bob")',
    'name', // evaluated in the stopped frame
    '.bt',
    '.l',
    '.n',
    'msg',
    '.c',
    '"after"',
    '.load nosuch.lua',
    '.load',
    '.c',
    '.locals',
    '.quit',
    'print("not reached")',
  ]);
  assertTranscript(r,
    'true\thello ann',
    'Breakpoint 1 at greet.lua:3',
    'Stopped at greet.lua:3 (breakpoint 1)',
    '->    3 |   local msg = "hello " .. name',
    '"bob"',
    '> #1 greet at greet.lua:3',
    '  name = "bob"',
    'Stopped at greet.lua:4 (step)',
    '->    4 |   return msg',
    '"hello bob"',
    'hello bob',
    'after',
    `cannot open ${path.join(fixtures, 'nosuch.lua')}: No such file or directory`,
    'stack traceback:',
    "\t[C]: in function 'dofile'",
    '\tstdin:1: in main chunk',
    'usage: .load FILE',
    'the script is not stopped',
    'the script is not stopped (.pause or a breakpoint stops it)',
  );
  assert.equal(r.code, 0);
});

test('a breakpoint in code typed at the prompt: .break on a loaded file, the condition seen, .help lists .load', async () => {
  const r = await runPiped(['repl'], [
    '.load greet.lua',
    '.break greet.lua:4 if name == "cy"',
    'for _, n in ipairs({"al", "bo", "cy"}) do greet(n) end',
    'msg',
    '.c',
    '.help',
  ]);
  assert.match(r.stdout, /^Breakpoint 1 at greet.lua:4 if name == "cy"\nStopped at greet.lua:4 \(breakpoint 1\)\n->    4 \|   return msg\n"hello cy"\n/);
  assert.match(r.stdout, /^ {2}\.load FILE {18}run a Lua file in the session/m);
});

test('SIGINT interrupts a running line and keeps the state; .pause stops it in the debugger', async (t) => {
  const s = new CliSession(['repl']);
  t.after(() => s.kill());
  s.send('n = 0');
  s.send('print("go") while true do n = n + 1 end');
  await s.waitFor('go\n');
  s.interrupt();
  await s.waitFor('interrupted!\nstack traceback:\n\tstdin:1: in main chunk\n');
  s.send('n > 0');
  await s.waitFor('true\n');
  // .pause stops the running line in the debugger instead
  s.send('print("go") while true do n = n + 1 if said == false then said = true print("again") end end');
  await s.waitFor('go\n');
  s.send('.pause');
  await s.waitFor('Stopped at stdin:1 (pause)\n');
  s.send('.bt');
  await s.waitFor('> #1 main chunk at stdin:1\n');
  s.send('said = false');
  s.send('.c');
  await s.waitFor('again\n');
  s.interrupt(); // running again: Ctrl-C interrupts the line
  await s.waitFor('interrupted!\n');
  s.send('n > 1000');
  await s.waitFor('true\n');
  s.send('.q');
  const r = await s.exited();
  assert.equal(r.code, 0);
  assert.equal(r.signal, null);
});

test('end of input ends the REPL, also while stopped at a breakpoint; os.exit(n) leaves with n', async () => {
  const r = await runPiped(['repl'], ['.load greet.lua', '.b greet.lua:3', 'greet("x")']);
  assert.match(r.stdout, /Stopped at greet.lua:3 \(breakpoint 1\)\n.*\n$/);
  assert.equal(r.code, 0);
  const exit = await runPiped(['repl'], ['print("before")', 'os.exit(3)', 'print("after")']);
  assertTranscript(exit, 'before');
  assert.equal(exit.code, 3);
});
