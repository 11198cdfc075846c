import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { debugFixture, RawDap, spawnServer, within } from './dap-client.js';

// console: integratedTerminal — we play the editor: answer runInTerminal by starting the
// command it names (the relay), then type into that "terminal" and read what it shows.
test('console integratedTerminal runs the relay through runInTerminal: the script reads and writes there', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  const dap = await RawDap.connect(t, server.port);
  await dap.response(dap.request('initialize', { adapterID: 'llmspell', supportsRunInTerminalRequest: true }));
  const launched = dap.request('launch', { program: debugFixture('echo-input.lua'), console: 'integratedTerminal' });
  const rit = await dap.next((m) => m.type === 'request' && m.command === 'runInTerminal', 'a runInTerminal request');
  const args = (rit.arguments as { args: string[]; kind: string }).args;
  assert.equal((rit.arguments as { kind: string }).kind, 'integrated');
  const terminal = spawn(args[0], args.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  t.after(() => { terminal.kill(); });
  let screen = '';
  terminal.stdout.on('data', (b: Buffer) => { screen += b.toString(); });
  dap.frame(JSON.stringify({ seq: 1000, type: 'response', request_seq: rit.seq, command: 'runInTerminal', success: true, body: { processId: terminal.pid } }));
  assert.equal((await dap.response(launched)).success, true);
  await dap.response(dap.request('configurationDone'));
  await within((async () => { while (!screen.includes('name? ')) await new Promise((r) => setTimeout(r, 20)); })(), 'the prompt in the terminal');
  terminal.stdin.write('Ada\n');
  await dap.next((m) => m.type === 'event' && m.event === 'terminated', 'terminated');
  await within((async () => { while (!screen.includes('hello')) await new Promise((r) => setTimeout(r, 20)); })(), 'the answer in the terminal');
  assert.match(screen, /name\? hello Ada\n/);
  // The terminal closes when the script ends.
  await within(new Promise((r) => terminal.on('exit', r)), 'the relay to exit');
});

test('a client without runInTerminal gets the script in the debug console, with a message saying so', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0']);
  const dap = await RawDap.connect(t, server.port);
  await dap.response(dap.request('initialize', { adapterID: 'llmspell' }));
  await dap.response(dap.request('launch', { program: debugFixture('echo-input.lua'), console: 'integratedTerminal' }));
  const note = await dap.next((m) => m.type === 'event' && m.event === 'output' && String((m.body as { output: string }).output).includes('cannot open a terminal'), 'the fallback message');
  assert.ok(note);
  await dap.response(dap.request('configurationDone'));
  await dap.next((m) => m.type === 'event' && m.event === 'output' && (m.body as { output: string }).output.includes('hello nil'), 'output with end of input');
});
