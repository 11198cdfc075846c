import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cli, debugFixture, RawDap, spawnServer } from './dap-client.js';

// ARCHITECTURE decision 7: a DAP endpoint that is not loopback requires a token.
test('dap --port off loopback without a token is refused at start', async () => {
  const p = spawn(process.execPath, [cli, 'dap', '--port', '0', '--host', '0.0.0.0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LLMSPELL_DAP_TOKEN: '' } });
  let err = '';
  p.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const code = await new Promise<number | null>((r) => p.on('exit', r));
  assert.equal(code, 2);
  assert.match(err, /needs --token/);
});

test('with --token, launch must carry it: a wrong one is refused, the right one runs the script', async (t) => {
  const server = await spawnServer(t, ['dap', '--port', '0', '--token', 's3cret']);
  const dap = await RawDap.connect(t, server.port);
  await dap.response(dap.request('initialize', { adapterID: 'llmspell' }));
  const refused = await dap.response(dap.request('launch', { program: debugFixture('accounts.lua'), token: 'nope' }));
  assert.equal(refused.success, false);
  assert.match(String(refused.message), /refused: wrong token/);
  const ok = await dap.response(dap.request('launch', { program: debugFixture('accounts.lua'), token: 's3cret' }));
  assert.equal(ok.success, true);
  await dap.response(dap.request('configurationDone'));
  await dap.next((m) => m.type === 'event' && m.event === 'output' && String((m.body as { output: string }).output).includes('total'), 'the script output');
});
