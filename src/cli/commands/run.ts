// `llmspell run <script> [args...]` and `llmspell run -e CODE`.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { ScriptRun, EXIT_INTERRUPTED } from '../../kernel/run-script.js';
import { UsageError } from '../errors.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a Lua script (or -e CODE) to completion')
    .argument('[script]', 'the Lua file to run')
    .argument('[args...]', 'arguments for the script (arg[1..n] and ...)')
    .option('-e, --execute <code>', 'run this Lua code instead of a file')
    .passThroughOptions()
    .action(async (script: string | undefined, args: string[], opts: { execute?: string }) => {
      if (opts.execute === undefined && script === undefined) throw new UsageError('run needs a script file or -e CODE (see llmspell run --help)');
      if (opts.execute === undefined) checkReadable(script!);
      const run = new ScriptRun({
        source: opts.execute !== undefined ? { kind: 'code', code: opts.execute } : { kind: 'file', path: script! },
        args: opts.execute !== undefined ? [script, ...args].filter((a): a is string => a !== undefined) : args,
        stdout: process.stdout,
        stderr: process.stderr,
      });
      const onSigint = (): void => run.interrupt();
      process.on('SIGINT', onSigint);
      try {
        process.exitCode = await run.run();
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (process.exitCode === EXIT_INTERRUPTED) process.stderr.write('interrupted\n');
    });
}

function checkReadable(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`cannot open ${file}: no such file`);
  }
  if (stat.isDirectory()) throw new UsageError(`cannot run ${file}: it is a directory`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UsageError(`cannot open ${file}: permission denied`);
  }
}
