// `llmspell debug script.lua --port 0 --break-at FILE:LINE`: the script waits for a DAP client
// to attach; configurationDone starts it; it stops at the --break-at breakpoint. A client that
// detaches lets the script go on, and the next client to attach is told where it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { connectClient, debugFixture, EventLog, locals, spawnServer, where, within } from './dap-client.js';

const accounts = debugFixture('accounts.lua');
const fixturesDir = debugFixture('');

test('attach: configurationDone runs the script, which stops at --break-at; continue runs it to its end and the process exits', async (t) => {
  const server = await spawnServer(t, ['debug', 'accounts.lua', '--port', '0', '--break-at', 'accounts.lua:12'], fixturesDir);
  assert.match(server.stdout(), /^DAP server listening on port \d+\n$/);
  const dc = await connectClient(t, server.port);
  const log = new EventLog(dc);
  const init = await dc.initializeRequest();
  assert.equal(init.body?.supportsConfigurationDoneRequest, true);
  await dc.attachRequest({} as P.AttachRequestArguments);
  await log.next('initialized');
  assert.equal(log.of('stopped').length, 0, 'nothing runs before configurationDone');
  await dc.configurationDoneRequest();

  for (let v = 1; v <= 5; v++) {
    const s = await log.stopped();
    assert.equal(s.body.reason, 'breakpoint');
    assert.equal(await where(dc), 'Account:deposit:12');
    assert.equal((await locals(dc)).v, String(v));
    await dc.continueRequest({ threadId: 1 });
  }
  assert.equal((await log.next<P.ExitedEvent>('exited')).body.exitCode, 0);
  await log.next('terminated');
  assert.equal(log.output('stdout'), 'total\t165\n', 'the script\'s output reaches the client…');
  assert.equal(await within(server.exited, 'llmspell debug to exit'), 0);
  assert.match(server.stdout(), /total\t165\n/, '…and the terminal it runs in');
});

test('a client that detaches lets the script go on; the next one to attach is told where it stopped', async (t) => {
  const server = await spawnServer(t, ['debug', 'accounts.lua', '--port', '0', '--break-at', 'accounts.lua:12'], fixturesDir);
  const first = await connectClient(t, server.port);
  const firstLog = new EventLog(first);
  await first.initializeRequest();
  await first.attachRequest({} as P.AttachRequestArguments);
  await firstLog.next('initialized');
  await first.configurationDoneRequest();
  await firstLog.stopped();
  assert.equal((await locals(first)).v, '1');
  await first.disconnectRequest({});

  // Detached, the script ran on to the breakpoint's next hit and waits there.
  const second = await connectClient(t, server.port);
  const secondLog = new EventLog(second);
  await second.initializeRequest();
  await second.attachRequest({} as P.AttachRequestArguments);
  const s = await secondLog.stopped();
  assert.equal(s.body.reason, 'breakpoint');
  assert.equal((await locals(second)).v, '2');
  await second.configurationDoneRequest();
  await assert.rejects(second.launchRequest({ program: accounts } as P.LaunchRequestArguments), /this session is already attached|does not launch/);

  await second.terminateRequest();
  assert.equal((await secondLog.next<P.ExitedEvent>('exited')).body.exitCode, 130);
  assert.equal(await within(server.exited, 'llmspell debug to exit'), 130);
});
