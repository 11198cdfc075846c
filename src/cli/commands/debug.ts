// `llmspell debug <script> [--port N] [--break-at FILE:LINE]...`: with --port, the script waits
// for a DAP client's `attach`; without it, the terminal debugger. FILE may be a bare file name.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logger } from '../../log/index.js';
import { UsageError } from '../errors.js';
import { parseBreakAt, parsePort } from '../options.js';
import { requireTokenOffLoopback, tokenGate } from '../token-gate.js';

export function registerDebug(program: Command): void {
  program
    .command('debug')
    .description('debug a script: in the terminal, or (with --port) for a DAP client that attaches')
    .argument('<script>', 'the Lua file to debug')
    .argument('[args...]', 'arguments for the script (after --)')
    .option('--port <n>', 'serve DAP on this TCP port and wait for a client to attach')
    .option('--host <addr>', 'address to bind with --port', '127.0.0.1')
    .option('--token <secret>', "with --port: clients must send this as 'token' in attach (required off loopback; or LLMSPELL_DAP_TOKEN)")
    .option('--break-at <FILE:LINE>', "set a breakpoint (repeatable); 'FILE:LINE if COND' for a condition", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (script: string, args: string[], opts: { port?: string; host: string; token?: string; breakAt: string[] }) => {
      if (!fs.existsSync(script)) throw new UsageError(`cannot open ${script}: no such file`);
      const breaks = opts.breakAt.map(parseBreakAt);
      // Loaded on demand, so commands that do not need them start faster.
      const { matchProblem, resolveUserFile, runTerminalDebugger, scriptSearchRoots } = await import('../../terminal/index.js');
      if (opts.port === undefined) {
        process.exitCode = await runTerminalDebugger({ script, args, breaks });
        return;
      }
      const token = requireTokenOffLoopback(opts.host, opts.token);
      // Bare names as in the terminal debugger; a file's breakpoints go together (each call replaces them).
      const byFile = new Map<string, { line: number; condition?: string }[]>();
      const roots = scriptSearchRoots(script);
      for (const b of breaks) {
        const match = resolveUserFile(b.file, [], roots);
        const problem = matchProblem(b.file, match, roots);
        if (problem || match.kind === 'ambiguous') throw new UsageError(`--break-at ${b.file}:${b.line}: ${problem}`);
        byFile.set(match.file, [...(byFile.get(match.file) ?? []), { line: b.line, condition: b.condition }]);
      }
      const { ExecutionManager } = await import('../../debug/index.js');
      const { serveTcp, WaitingScriptTarget } = await import('../../dap/index.js');
      const em = new ExecutionManager();
      em.on('output', (o) => (o.category === 'stderr' ? process.stderr : process.stdout).write(o.text));
      await em.start({ stdin: 'inherit', debug: true });
      for (const [file, bps] of byFile) await em.setBreakpoints(file, bps);
      const log = logger('dap');
      const target = new WaitingScriptTarget(em, path.resolve(script), args);
      const server = await serveTcp(parsePort(opts.port), opts.host, () => target, { error: (m) => log.error(m) }, undefined, token ? await tokenGate(token, log) : undefined);
      process.stdout.write(`DAP server listening on port ${server.port}\n`);
      const code = await new Promise<number>((resolve) => em.once('exited', (c) => resolve(c)));
      // Let the clients receive 'exited'/'terminated' before closing.
      await new Promise((r) => setTimeout(r, 100));
      await server.close();
      process.exit(code);
    });
}
