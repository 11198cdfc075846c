// Memory: peak RSS of a real `llmspell dap --port` process while a stopped script holds a
// 1,000,000-item table that the client has open in its variables view (first page and the
// named part expanded). Read from /proc/<pid>/status (VmHWM, VmRSS); Linux only.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { DapWireClient } from './dap-wire-client.js';
import { quantity } from './figures.js';
import { llmspellBin } from './paths.js';

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

export const memory: BenchCase = {
  name: 'memory',
  title: 'peak RSS of llmspell dap with a stopped script holding a 1,000,000-item table open in the variables view',
  async run(ctx: BenchContext): Promise<CaseResult> {
    if (!fs.existsSync('/proc/self/status')) return { figures: [], notes: ['memory: /proc is not available here; skipped'] };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-bench-'));
    const file = path.join(dir, 'memory.lua');
    const n = ctx.quick ? 200_000 : 1_000_000;
    fs.writeFileSync(file, `local big = {}\nfor i = 1, ${n} do big[i] = i end\nbig.label = "big"\nlocal stop = #big\nprint(stop)\n`);
    const server = spawn(process.execPath, [llmspellBin, 'dap', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (b: Buffer) => { out += b.toString(); const m = /listening on port (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
        server.on('exit', () => reject(new Error('the DAP server exited')));
      });
      const idle = memoryOf(server.pid!);
      const dap = await DapWireClient.connect(port);
      await dap.request('initialize', { adapterID: 'bench' });
      const stopped = dap.event('stopped');
      await dap.request('launch', { program: file });
      await dap.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line: 5 }] });
      await dap.request('configurationDone');
      await stopped;
      ctx.progress(`memory: stopped with a ${n}-item table`);
      await dap.request('stackTrace', { threadId: 1 });
      const scopes = await dap.request('scopes', { frameId: 1 });
      const localsRef = (scopes.body as { scopes: { variablesReference: number }[] }).scopes[0].variablesReference;
      const vars = (await dap.request('variables', { variablesReference: localsRef })).body as { variables: { name: string; variablesReference: number }[] };
      const bigRef = vars.variables.find((v) => v.name === 'big')!.variablesReference;
      await dap.request('variables', { variablesReference: bigRef, filter: 'indexed', start: 0, count: 100 });
      await dap.request('variables', { variablesReference: bigRef, filter: 'named' });
      const held = memoryOf(server.pid!);
      dap.close();
      return {
        figures: [
          quantity('idle server: RSS', 'VmRSS before launch', 'MiB', idle.rss),
          quantity(`stopped, ${n}-item table open: RSS`, 'VmRSS', 'MiB', held.rss),
          quantity(`stopped, ${n}-item table open: peak RSS`, 'VmHWM (peak since start)', 'MiB', held.peak),
        ],
        notes: [`${n} integers in the table; the client expanded its first page and its named part`],
      };
    } finally {
      server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
