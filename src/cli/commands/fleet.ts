// `llmspell fleet list` and `llmspell fleet debug set-breakpoint|clear-breakpoint`: the kernels
// of the runtime directory as one fleet. Argument parsing only: the work is in src/fleet.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

interface Choice { all?: boolean; kernel?: string[]; condition?: string; json?: boolean }

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerFleet(program: Command): void {
  const fleet = program.command('fleet').description('the kernels of the runtime directory as a fleet: list them, set and clear shared breakpoints on many at once');

  fleet
    .command('list')
    .description('every kernel: state, what it runs, clients, shared breakpoints (from their status files; no kernel is contacted)')
    .option('--json', 'one JSON array')
    .action(async (opts: { json?: boolean }) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { listKernels } = await import('../../daemon/kernel-registry.js');
      const { summarize } = await import('../../daemon/kernel-report.js');
      const { formatFleet } = await import('../../fleet/report.js');
      const dir = runtimeDir();
      const entries = listKernels(dir);
      process.stdout.write(opts.json ? `${JSON.stringify(entries.map(summarize), null, 2)}\n` : formatFleet(entries, dir));
    });

  const debug = fleet.command('debug').description('debugging across kernels');
  for (const action of ['set', 'clear'] as const) {
    const cmd = debug.command(`${action}-breakpoint`);
    if (action === 'set') cmd.option('--condition <expr>', 'stop only when the Lua expression is true');
    cmd
      .description(action === 'set'
        ? 'set a shared breakpoint on the chosen kernels (each kernel stops whatever code it runs there; its debuggers see it)'
        : 'clear a shared breakpoint on the chosen kernels')
      .argument('<location>', 'FILE:LINE')
      .option('--all', 'every kernel in the runtime directory')
      .option('--kernel <id>', 'this kernel (repeatable)', collect)
      .option('--json', 'as JSON')
      .action(async (location: string, opts: Choice) => {
        const { runtimeDir } = await import('../../daemon/runtime-dir.js');
        const { chooseKernels, FleetError, onEachKernel } = await import('../../fleet/fleet.js');
        const { parseLocation, LocationError } = await import('../../fleet/breakpoint-location.js');
        const { sharedBreakpointRequest } = await import('../../fleet/shared-breakpoint-client.js');
        const { describeShared, formatOutcomes } = await import('../../fleet/report.js');
        let kernels;
        let where;
        try {
          kernels = chooseKernels(runtimeDir(), { all: opts.all, kernels: opts.kernel });
          where = parseLocation(location, action === 'set');
        } catch (e) {
          if (e instanceof FleetError || e instanceof LocationError) throw new UsageError(e.message, 1);
          throw e;
        }
        const at = where;
        const outcomes = await onEachKernel(kernels, async (a) => {
          const body = await sharedBreakpointRequest(a, action === 'set' ? { action, ...at, ...(opts.condition ? { condition: opts.condition } : {}) } : { action, ...at });
          if (action === 'clear' && !body.removed) throw new Error(`no shared breakpoint at ${at.source}:${at.line}`);
          return body;
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(outcomes.map((o) => ({ id: o.kernel.id, ok: o.ok, ...(o.ok ? o.value : { error: o.error }) })), null, 2)}\n`);
        } else {
          process.stdout.write(formatOutcomes(outcomes, (b) => (action === 'set' ? `set at ${describeShared(b.breakpoint!)}` : `cleared at ${at.source}:${at.line}`)));
        }
        if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
      });
  }
}
