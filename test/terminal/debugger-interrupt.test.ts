// Ctrl-C and .pause while the script runs: through a pipe, Ctrl-C is SIGINT sent to the CLI.
// The script (spin.lua) never ends by itself; the debugger must stop it and keep serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliSession } from './cli-session.js';

const PAUSED = /Stopped at spin\.lua:\d+ \(pause\)\n.*\n/;

test('SIGINT while the script runs pauses it; commands still work; a second one pauses again', async (t) => {
  const s = new CliSession(['debug', 'spin.lua']);
  t.after(() => s.kill());
  await s.waitFor('Stopped at spin.lua:3 (entry)');
  s.send('.c');
  await s.waitFor('spinning\n');
  s.interrupt();
  await s.waitFor(PAUSED);
  s.send('n > 0');
  await s.waitFor('true\n');
  s.send('.locals');
  await s.waitFor(/ {2}n = \d+\n/);
  s.send('announce = true');
  s.send('.c');
  await s.waitFor('spinning again\n');
  s.interrupt();
  await s.waitFor(PAUSED);
  s.send('.quit');
  const r = await s.exited();
  assert.equal(r.code, 0);
  assert.equal(r.signal, null, 'SIGINT did not kill the CLI');
  assert.equal(r.stderr, '');
});

test('a SIGINT right after a resume is not lost between the resume and the run', async (t) => {
  // The debugger logs each command as it starts it: SIGINT then lands while .continue resumes.
  const s = new CliSession(['--trace', 'debug', 'debug', 'spin.lua']);
  t.after(() => s.kill());
  await s.waitFor('(entry)');
  s.send('.continue');
  await s.waitForStderr(/"text":"\.continue"/);
  s.interrupt();
  await s.waitFor(PAUSED);
  s.send('.q');
  assert.equal((await s.exited()).code, 0);
});

test('.pause (.p) typed while the script runs stops it', async (t) => {
  const s = new CliSession(['debug', 'spin.lua']);
  t.after(() => s.kill());
  await s.waitFor('(entry)');
  s.send('.c');
  await s.waitFor('spinning\n');
  s.send('.pause');
  await s.waitFor(PAUSED);
  s.send('.c');
  s.send('.p');
  await s.waitFor(PAUSED);
  s.send('.p');
  await s.waitFor('(already stopped)\n');
  s.end(); // end of input at a stop ends the script
  await s.waitFor('(end of input: ending the script)\n');
  assert.equal((await s.exited()).code, 0);
});

test('SIGINT while stopped only says how to go on', async (t) => {
  const s = new CliSession(['debug', 'spin.lua']);
  t.after(() => s.kill());
  await s.waitFor('(entry)');
  s.interrupt();
  await s.waitFor('(the script is stopped: .continue runs it, .quit ends the session)\n');
  s.send('.n');
  await s.waitFor('Stopped at spin.lua:4 (step)');
  s.send('.q');
  assert.equal((await s.exited()).code, 0);
});

test('lines sent while the script runs wait for the next stop, in order', async (t) => {
  const s = new CliSession(['debug', 'spin.lua']);
  t.after(() => s.kill());
  await s.waitFor('(entry)');
  s.send('.c');
  await s.waitFor('spinning\n');
  s.send('"first"'); // waits: the script is running
  s.send('.pause'); // through a pipe, waits behind "first"
  await new Promise((r) => setTimeout(r, 200));
  assert.doesNotMatch(s.stdout, /first|\(pause\)/);
  s.interrupt();
  assert.match(await s.waitFor('(already stopped)\n'), /\(pause\)\n.*\n"first"\n\(already stopped\)\n$/);
  s.send('.q');
  assert.equal((await s.exited()).code, 0);
});
