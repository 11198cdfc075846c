// `llmspell dap [--port N] [--host H]`: a DAP adapter over stdio, or a TCP server.
import type { Command } from 'commander';
import { logger } from '../../log/index.js';
import { parsePort, checkHost } from '../options.js';

export function registerDap(program: Command): void {
  program
    .command('dap')
    .description('serve the Debug Adapter Protocol: on stdin/stdout (what editors run), or on a TCP port')
    .option('--port <n>', 'listen on this TCP port instead of stdio (0 picks a free one)')
    .option('--host <addr>', 'address to bind with --port', '127.0.0.1')
    .action(async (opts: { port?: string; host: string }) => {
      const { LaunchTarget, serveStdio, serveTcp } = await import('../../dap/index.js');
      const log = logger('dap');
      const sessionLog = { error: (m: string) => log.error(m), debug: (m: string) => log.debug(m) };
      if (opts.port === undefined) {
        await serveStdio(new LaunchTarget(), sessionLog);
        process.exit(0);
      }
      checkHost(opts.host);
      const server = await serveTcp(parsePort(opts.port), opts.host, () => new LaunchTarget(), sessionLog);
      process.stdout.write(`DAP server listening on port ${server.port}\n`);
      const stop = (): void => void server.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
