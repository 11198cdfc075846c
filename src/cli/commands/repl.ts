// `llmspell repl`: an interactive Lua session with the debug commands.
import type { Command } from 'commander';
import { runRepl } from '../../terminal/index.js';

export function registerRepl(program: Command): void {
  program
    .command('repl')
    .description('an interactive Lua session; .help lists the debug commands')
    .action(async () => {
      process.exitCode = await runRepl();
    });
}
