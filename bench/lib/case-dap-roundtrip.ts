// DAP round trips while stopped, over TCP to a real `llmspell dap --port` process: the time from
// writing a request to reading its response, median of many. Targets: 1 ms each (the first page
// of a 100,000-item table: 5 ms).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchCase, BenchContext, CaseResult } from './bench-case.js';
import { DapWireClient } from './dap-wire-client.js';
import { measurement, type Figure } from './figures.js';
import { llmspellBin as cliPath } from './paths.js';

/** A script that stops 50 frames deep in a function with 100 locals, a 100,000-item table in scope. */
function writeScript(dir: string): { file: string; line: number } {
  const names = Array.from({ length: 100 }, (_, i) => `a${i + 1}`);
  const lines = [
    'big = {}',
    'for i = 1, 100000 do big[i] = i end',
    'local function deep(n)',
    '  if n > 0 then return deep(n - 1) + 0 end',
    `  local ${names.join(', ')} = ${names.map((_, i) => i + 1).join(', ')}`,
    `  local stop = a1 + a100`,
    '  return stop',
    'end',
    'print(deep(48))',
  ];
  const file = path.join(dir, 'roundtrip.lua');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, line: 6 };
}

async function timed(samples: number[], n: number, work: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);
  }
}

export const dapRoundTrip: BenchCase = {
  name: 'dap-roundtrip',
  title: 'DAP requests while stopped, over TCP (request written → response read)',
  async run(ctx: BenchContext): Promise<CaseResult> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-bench-'));
    const { file, line } = writeScript(dir);
    const server = spawn(process.execPath, [cliPath, 'dap', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        server.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          const m = /listening on port (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        server.on('exit', () => reject(new Error('the DAP server exited')));
      });
      const dap = await DapWireClient.connect(port);
      await dap.request('initialize', { adapterID: 'bench' });
      const stopped = dap.event('stopped');
      await dap.request('launch', { program: file });
      await dap.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line }] });
      await dap.request('configurationDone');
      await stopped;
      const n = ctx.quick ? 50 : 300;
      ctx.progress(`dap-roundtrip: ${n} of each request`);
      const stack: number[] = [];
      const vars: number[] = [];
      const evals: number[] = [];
      const setBps: number[] = [];
      const page: number[] = [];
      let frames = 0;
      let locals = 0;
      await timed(stack, n, async () => {
        const r = await dap.request('stackTrace', { threadId: 1, startFrame: 0, levels: 50 });
        frames = ((r.body as { stackFrames: unknown[] }).stackFrames).length;
      });
      await timed(vars, n, async () => {
        const sc = await dap.request('scopes', { frameId: 1 });
        const ref = (sc.body as { scopes: { variablesReference: number }[] }).scopes[0].variablesReference;
        const v = await dap.request('variables', { variablesReference: ref });
        locals = ((v.body as { variables: unknown[] }).variables).length;
      });
      await timed(evals, n, () => dap.request('evaluate', { expression: 'a1 + a50 * 2', frameId: 1, context: 'watch' }));
      await timed(setBps, n, () => dap.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line }, { line: 7 }] }));
      const bigRef = ((await dap.request('evaluate', { expression: 'big', frameId: 1, context: 'watch' })).body as { variablesReference: number }).variablesReference;
      await timed(page, n, () => dap.request('variables', { variablesReference: bigRef, filter: 'indexed', start: 0, count: 100 }));
      dap.close();
      const figures: Figure[] = [
        measurement(`stackTrace of ${frames} frames`, stack, 1),
        measurement(`scopes + variables of ${locals} locals`, vars, 1),
        measurement('evaluate', evals, 1),
        measurement('setBreakpoints', setBps, 1),
        measurement('first page (100) of a 100,000-item table', page, 5),
      ];
      return { figures, notes: [`${n} round trips each, one client, llmspell dap --port on loopback`] };
    } finally {
      server.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
