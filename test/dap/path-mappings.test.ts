// pathMappings: the editor's copy of the sources lives elsewhere than the files the script runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { connectClient, debugFixture, EventLog, spawnServer } from './dap-client.js';
import { toLocal, toRemote } from '../../src/dap/path-mappings.js';

test('paths map by the longest matching root, both ways', () => {
  const m = [{ localRoot: '/home/me/proj', remoteRoot: '/srv/app' }, { localRoot: '/home/me/proj/lib', remoteRoot: '/opt/lib' }];
  assert.equal(toRemote(m, '/home/me/proj/main.lua'), '/srv/app/main.lua');
  assert.equal(toRemote(m, '/home/me/proj/lib/x.lua'), '/opt/lib/x.lua');
  assert.equal(toRemote(m, '/home/me/projector/a.lua'), '/home/me/projector/a.lua', 'a prefix that is not a directory does not match');
  assert.equal(toLocal(m, '/opt/lib/x.lua'), '/home/me/proj/lib/x.lua');
  assert.equal(toLocal(m, '/elsewhere/y.lua'), '/elsewhere/y.lua');
});

test('attach with pathMappings: a breakpoint on the editor\'s copy binds to the running file, and frames come back as the editor\'s paths', async (t) => {
  const editorRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-editor-'));
  t.after(() => fs.rmSync(editorRoot, { recursive: true, force: true }));
  const remoteRoot = path.dirname(debugFixture('accounts.lua'));
  fs.copyFileSync(debugFixture('accounts.lua'), path.join(editorRoot, 'accounts.lua'));
  const server = await spawnServer(t, ['debug', 'accounts.lua', '--port', '0'], remoteRoot);
  const dc = await connectClient(t, server.port);
  const log = new EventLog(dc);
  await dc.initializeRequest();
  await dc.attachRequest({ pathMappings: [{ localRoot: editorRoot, remoteRoot }] } as P.AttachRequestArguments);
  await log.next('initialized');
  const editorFile = path.join(editorRoot, 'accounts.lua');
  const set = await dc.setBreakpointsRequest({ source: { path: editorFile }, breakpoints: [{ line: 12 }] });
  assert.equal(set.body.breakpoints[0].verified, true);
  assert.equal(set.body.breakpoints[0].source?.path, editorFile);
  await dc.configurationDoneRequest();
  await log.stopped();
  const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[0].source?.path, editorFile);
  assert.equal(frames[0].line, 12);
});
