// The fleet: the kernels of a runtime directory, as `llmspell fleet` reaches them. An operation
// runs on every chosen kernel at once, each with its own timeout, and reports each kernel's
// outcome; a stale or unreachable kernel fails alone.
import { listKernels, type KernelEntry } from '../daemon/kernel-registry.js';
import { KernelNotFound, locateKernel, type KernelDapAddress } from '../kernel/kernel-lookup.js';

export class FleetError extends Error {}

export interface FleetChoice {
  all?: boolean;
  kernels?: string[];
}

/** The kernels chosen by --all (every kernel in DIR) or --kernel ID (exact ids or unique prefixes). */
export function chooseKernels(dir: string, choice: FleetChoice): KernelEntry[] {
  const all = listKernels(dir);
  if (choice.all && choice.kernels?.length) throw new FleetError('give --all or --kernel ID, not both');
  if (choice.all) return all;
  if (!choice.kernels?.length) throw new FleetError('say which kernels: --all, or --kernel ID (repeatable)');
  return choice.kernels.map((id) => {
    const exact = all.find((k) => k.id === id);
    if (exact) return exact;
    const byPrefix = all.filter((k) => k.id.startsWith(id));
    if (byPrefix.length === 1) return byPrefix[0];
    throw new FleetError(byPrefix.length ? `'${id}' names several kernels (${byPrefix.map((k) => k.id).join(', ')})` : `no kernel '${id}' in ${dir} (\`llmspell fleet list\` shows them)`);
  });
}

export type KernelOutcome<T> = { kernel: KernelEntry; ok: true; value: T } | { kernel: KernelEntry; ok: false; error: string };

/** Runs WORK on each kernel's DAP endpoint at once; stale and unreadable kernels fail without being contacted. */
export function onEachKernel<T>(kernels: KernelEntry[], work: (address: KernelDapAddress) => Promise<T>): Promise<KernelOutcome<T>[]> {
  return Promise.all(kernels.map(async (kernel): Promise<KernelOutcome<T>> => {
    if (kernel.state !== 'alive') return { kernel, ok: false, error: kernel.state === 'stale' ? 'not running (stale connection file)' : `unreadable connection file: ${kernel.error}` };
    try {
      const address = locateKernel({ connectionFile: kernel.connectionFile });
      return { kernel, ok: true, value: await work(address) };
    } catch (e) {
      return { kernel, ok: false, error: e instanceof KernelNotFound ? e.message : (e as Error).message };
    }
  }));
}
