// `llmspell terminal-relay --port N --token T`: what an editor's terminal runs for
// `console: integratedTerminal`; it connects the terminal to the script being debugged.
import type { Command } from 'commander';
import { parsePort } from '../options.js';

export function registerTerminalRelay(program: Command): void {
  program
    .command('terminal-relay', { hidden: true })
    .description("connect this terminal to a debugged script's stdin and stdout (started by the editor)")
    .requiredOption('--port <n>', 'the debugger port to connect to')
    .requiredOption('--token <t>', 'the one-time token the debugger gave')
    .action(async (opts: { port: string; token: string }) => {
      const { runRelayClient } = await import('../../dap/terminal-relay.js');
      process.exit(await runRelayClient(parsePort(opts.port), opts.token));
    });
}
