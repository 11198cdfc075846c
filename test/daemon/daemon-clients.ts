// Clients of a real daemon kernel for the tests in this folder: DAP clients on its dap_port
// (directly, or through a `llmspell dap` bridge process), a Jupyter client with its debugger,
// and the kernel's view of them from `kernel list`. Built on the foreground kernel's harness.
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { readConnectionFile } from '../../src/jupyter/connection-file.js';
import { EventLog, startAdapter } from '../dap/dap-client.js';
import { attachDap, JupyterTestClient, type DapClient, type Kernel, type T } from '../kernel/harness.js';
import { cli, eventually, type Daemon } from './helpers.js';

/** What the kernel harness's helpers need of a kernel: its connection info. */
export function asKernel(d: Daemon): Kernel {
  return { info: readConnectionFile(d.connectionFile) as Kernel['info'] } as Kernel;
}

/** A DebugClient straight on the daemon's dap_port, attached with its key. */
export function attachDirect(t: T, d: Daemon): Promise<DapClient> {
  return attachDap(t, asKernel(d));
}

/** A DebugClient on a `llmspell dap` process that relays to the daemon (attach with connectionFile). */
export async function attachThroughBridge(t: T, d: Daemon): Promise<DapClient> {
  const dc = await startAdapter(t);
  const log = new EventLog(dc);
  await dc.initializeRequest();
  await dc.attachRequest({ connectionFile: d.connectionFile } as P.AttachRequestArguments);
  await log.next('initialized');
  await dc.configurationDoneRequest();
  return { dc, log };
}

export async function jupyterWithDebugger(t: T, d: Daemon): Promise<JupyterTestClient> {
  const j = await JupyterTestClient.connect(t, asKernel(d).info);
  assert.equal((await j.debug('initialize', { clientID: 'test', adapterID: 'lua', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true })).success, true);
  assert.equal((await j.debug('attach', {})).success, true);
  await j.debugEvent('initialized');
  assert.equal((await j.debug('configurationDone')).success, true);
  return j;
}

export function execute(j: JupyterTestClient, code: string): string {
  return j.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
}

export interface ListedKernel { id: string; clients: number | null; runtime_state: string | null; debuggers: { id: string; kind: string }[] | null; shared_breakpoints: { source: string; line: number; condition?: string }[] | null }

/** `kernel list --json` in DIR, the kernel with ID. */
export async function listed(dir: string, id: string): Promise<ListedKernel> {
  const r = await cli(dir, ['kernel', 'list', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const k = (JSON.parse(r.stdout) as ListedKernel[]).find((x) => x.id === id);
  assert.ok(k, `kernel ${id} in ${r.stdout}`);
  return k;
}

/** Waits until `kernel list` says what `check` wants (the kernel rewrites its status file as clients change). */
export async function listedWhen(dir: string, id: string, what: string, check: (k: ListedKernel) => boolean): Promise<ListedKernel> {
  let last: ListedKernel | null = null;
  const deadline = Date.now() + 10_000;
  for (;;) {
    last = await listed(dir, id);
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`kernel list never showed ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { eventually, type DebugClient };
