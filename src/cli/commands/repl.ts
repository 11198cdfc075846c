// `llmspell repl`: an interactive Lua session with the debug commands.
import type { Command } from 'commander';

export function registerRepl(program: Command): void {
  program
    .command('repl')
    .description('an interactive Lua session; .help lists the debug commands')
    .action(async () => {
      const { runRepl } = await import('../../terminal/index.js');
      process.exitCode = await runRepl();
    });
}
