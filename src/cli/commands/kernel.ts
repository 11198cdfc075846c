// `llmspell kernel start|install|uninstall`: the Jupyter kernel.
import type { Command } from 'commander';
import { installKernelSpec, uninstallKernelSpec, type SpecLocation } from '../../jupyter/kernelspec.js';
import { logger } from '../../log/index.js';
import { UsageError } from '../errors.js';

interface WhereOpts { user?: boolean; sysPrefix?: boolean; prefix?: string; name: string }

function location(o: WhereOpts): SpecLocation {
  const chosen = [o.user, o.sysPrefix, o.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --user, --sys-prefix, --prefix DIR');
  if (o.prefix !== undefined) return { kind: 'prefix', dir: o.prefix };
  if (o.sysPrefix) return { kind: 'sys-prefix' };
  return { kind: 'user' };
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`invalid kernel name '${name}': use letters, digits, '.', '_' or '-'`);
  return name;
}

export function registerKernel(program: Command): void {
  const kernel = program.command('kernel').description('the Jupyter kernel: start it, install or remove its kernelspec');

  kernel
    .command('start')
    .description('start a kernel (Jupyter runs this with --connection-file)')
    .requiredOption('--connection-file <file>', 'the connection file Jupyter wrote')
    .action(async (opts: { connectionFile: string }) => {
      // Loaded on demand: ZeroMQ is a native module and costs start-up time to every command.
      const { runKernel } = await import('../../jupyter/run-kernel.js');
      const code = await runKernel(opts.connectionFile, logger('kernel')).catch((e: Error) => {
        throw new UsageError(e.message);
      });
      process.exit(code);
    });

  for (const [cmd, desc] of [['install', 'install the kernelspec so Jupyter offers "Lua (llmspell)"'], ['uninstall', 'remove the kernelspec']] as const) {
    kernel
      .command(cmd)
      .description(desc)
      .option('--user', 'for this user (the default; honours JUPYTER_DATA_DIR)')
      .option('--sys-prefix', "in the Python environment's prefix")
      .option('--prefix <dir>', 'under DIR/share/jupyter/kernels')
      .option('--name <name>', 'kernelspec name', 'llmspell')
      .action((opts: WhereOpts) => {
        const where = location(opts);
        const name = checkName(opts.name);
        if (cmd === 'install') {
          process.stdout.write(`Installed kernelspec ${name} in ${installKernelSpec(name, where)}\n`);
        } else {
          const dir = uninstallKernelSpec(name, where);
          if (!dir) throw new UsageError(`no kernelspec named ${name} there`);
          process.stdout.write(`Removed kernelspec ${name} from ${dir}\n`);
        }
      });
  }
}
