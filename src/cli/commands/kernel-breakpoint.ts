// `llmspell kernel breakpoint ID set|clear|list [FILE:LINE] [--condition EXPR]`: a running
// kernel's shared breakpoints (every client of the kernel sees them; they stay when clients
// leave). Argument parsing only: the work is in src/fleet and src/kernel.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

interface Opts { condition?: string; json?: boolean }

export function registerKernelBreakpoint(program: Command): void {
  const kernel = program.commands.find((c) => c.name() === 'kernel');
  if (!kernel) throw new Error('the kernel command is not registered');
  kernel
    .command('breakpoint')
    .description("a running kernel's shared breakpoints (set from the CLI; they stop whatever code the kernel runs, and every debugger attached to it sees them)")
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .argument('<action>', 'set, clear or list')
    .argument('[location]', 'FILE:LINE (for set and clear)')
    .option('--condition <expr>', 'stop only when the Lua expression is true (set)')
    .option('--json', 'as JSON')
    .action(async (id: string, action: string, location: string | undefined, opts: Opts) => {
      if (!['set', 'clear', 'list'].includes(action)) throw new UsageError(`unknown action '${action}': use set, clear or list`);
      if (action === 'list' && location !== undefined) throw new UsageError('list takes no FILE:LINE');
      if (action !== 'list' && location === undefined) throw new UsageError(`${action} needs FILE:LINE`);
      if (opts.condition !== undefined && action !== 'set') throw new UsageError('--condition goes with set');
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel, KernelLookupError } = await import('../../daemon/kernel-registry.js');
      const { parseLocation, LocationError } = await import('../../fleet/breakpoint-location.js');
      const { onEachKernel } = await import('../../fleet/fleet.js');
      const { sharedBreakpointRequest } = await import('../../fleet/shared-breakpoint-client.js');
      const { describeShared, formatSharedList } = await import('../../fleet/report.js');
      let k;
      let where: { source: string; line: number } | undefined;
      try {
        k = findKernel(runtimeDir(), id);
        if (location !== undefined) where = parseLocation(location, action === 'set');
      } catch (e) {
        if (e instanceof KernelLookupError || e instanceof LocationError) throw new UsageError(e.message, 1);
        throw e;
      }
      const what = action === 'list' ? { action: 'list' as const }
        : action === 'set' ? { action: 'set' as const, ...where!, ...(opts.condition ? { condition: opts.condition } : {}) }
          : { action: 'clear' as const, ...where! };
      const [r] = await onEachKernel([k], (a) => sharedBreakpointRequest(a, what));
      if (!r.ok) throw new UsageError(`kernel ${k.id}: ${r.error}`, 1);
      const body = r.value;
      if (opts.json) { process.stdout.write(`${JSON.stringify(body, null, 2)}\n`); return; }
      if (action === 'list') process.stdout.write(formatSharedList(k.id, body.breakpoints));
      else if (action === 'set') process.stdout.write(`Kernel ${k.id}: shared breakpoint ${describeShared(body.breakpoint!)}\n`);
      else if (body.removed) process.stdout.write(`Kernel ${k.id}: shared breakpoint at ${where!.source}:${where!.line} cleared\n`);
      else throw new UsageError(`kernel ${k.id} has no shared breakpoint at ${where!.source}:${where!.line} (\`llmspell kernel breakpoint ${k.id} list\` shows them)`, 1);
    });
}
