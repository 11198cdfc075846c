// `llmspell dap [--port N] [--host H]`: a DAP adapter over stdio, or a TCP server. An `attach`
// with `connectionFile` or `kernelId` relays the session to that running kernel.
import type { Command } from 'commander';
import type { DapTransport } from '../../dap/index.js';
import { isLogged, logger } from '../../log/index.js';
import { parsePort } from '../options.js';
import { requireTokenOffLoopback, tokenGate } from '../token-gate.js';

export function registerDap(program: Command): void {
  program
    .command('dap')
    .description('serve the Debug Adapter Protocol: on stdin/stdout (what editors run), or on a TCP port')
    .option('--port <n>', 'listen on this TCP port instead of stdio (0 picks a free one)')
    .option('--host <addr>', 'address to bind with --port', '127.0.0.1')
    .option('--token <secret>', "with --port: clients must send this as 'token' in launch/attach (required off loopback; or LLMSPELL_DAP_TOKEN)")
    .action(async (opts: { port?: string; host: string; token?: string }) => {
      const { LaunchTarget, serveStdio, serveTcp } = await import('../../dap/index.js');
      const { KernelAttachProxy } = await import('../../kernel/dap-proxy.js');
      // pino loads (about 15 ms) only when a line is written: a session that logs nothing
      // reaches its first stop without it.
      const log = (): ReturnType<typeof logger> => logger('dap');
      const sessionLog = { error: (m: string) => log().error(m), debug: (m: string) => { if (isLogged('debug')) log().debug(m); } };
      const proxyLog = { error: (m: string) => log().error(m), info: (m: string) => { if (isLogged('info')) log().info(m); } };
      const relayToKernels = (t: DapTransport): DapTransport => new KernelAttachProxy(t, proxyLog);
      if (opts.port === undefined) {
        await serveStdio(new LaunchTarget(), sessionLog, relayToKernels);
        process.exit(0);
      }
      const token = requireTokenOffLoopback(opts.host, opts.token);
      const setup = token ? await tokenGate(token, log()) : undefined;
      const server = await serveTcp(parsePort(opts.port), opts.host, () => new LaunchTarget(), sessionLog, relayToKernels, setup);
      process.stdout.write(`DAP server listening on port ${server.port}\n`);
      const stop = (): void => void server.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
