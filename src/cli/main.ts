// The llmspell command line: parses arguments and hands each command to its layer.
import { Command, CommanderError } from 'commander';
import { registerRun } from './commands/run.js';
import { registerDap } from './commands/dap.js';
import { registerDebug } from './commands/debug.js';
import { registerRepl } from './commands/repl.js';
import { registerKernel } from './commands/kernel.js';
import { registerKernelBreakpoint } from './commands/kernel-breakpoint.js';
import { registerFleet } from './commands/fleet.js';
import { registerTerminalRelay } from './commands/terminal-relay.js';
import { parseTraceLevel } from './options.js';
import { setTraceLevel } from '../log/index.js';
import { UsageError } from './errors.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('llmspell')
    .description('Run and debug Lua scripts: terminal debugger, REPL, DAP for editors, Jupyter kernel.')
    .version('0.1.0')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .option('--trace <level>', 'log level on stderr: off, error, warn, info, debug, trace', 'warn')
    .hook('preAction', (cmd, action) => setTraceLevel(parseTraceLevel(String(action.opts().trace ?? cmd.opts().trace))));
  registerRun(program);
  registerDap(program);
  registerDebug(program);
  registerRepl(program);
  registerKernel(program);
  registerKernelBreakpoint(program);
  registerFleet(program);
  registerTerminalRelay(program);
  // Also after the command (`llmspell repl --trace debug`): positional options send it there.
  const addTrace = (cmds: readonly Command[]): void => {
    for (const c of cmds) {
      if (c.commands.length) addTrace(c.commands);
      else c.option('--trace <level>', 'log level on stderr: off, error, warn, info, debug, trace');
    }
  };
  addTrace(program.commands);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; any parse problem is a usage error (commander printed it).
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`llmspell: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`llmspell: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 70;
  }
}
