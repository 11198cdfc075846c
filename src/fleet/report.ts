// What the fleet and shared-breakpoint commands print.
import type { KernelEntry } from '../daemon/kernel-registry.js';
import { clientCount } from '../daemon/status-file.js';
import type { SharedBreakpointInfo } from '../kernel/shared-breakpoints.js';
import type { KernelOutcome } from './fleet.js';

/** "/abs/file.lua:10 if x > 1 (bound to line 11)", or "(pending: …)" while the file is not loaded. */
export function describeShared(b: SharedBreakpointInfo): string {
  const cond = b.condition ? ` if ${b.condition}` : '';
  const state = !b.verified ? ` (pending${b.message ? `: ${b.message}` : ': not loaded yet'})` : b.boundLine !== undefined && b.boundLine !== b.line ? ` (bound to line ${b.boundLine})` : '';
  return `${b.source}:${b.line}${cond}${state}`;
}

export function formatSharedList(id: string, list: SharedBreakpointInfo[]): string {
  if (!list.length) return `Kernel ${id} has no shared breakpoints.\n`;
  return `${list.map((b) => `${describeShared(b)}`).join('\n')}\n`;
}

/** One line per kernel: what happened there; failures say why. */
export function formatOutcomes<T>(outcomes: KernelOutcome<T>[], done: (value: T) => string): string {
  if (!outcomes.length) return 'No kernels.\n';
  const width = Math.max(...outcomes.map((o) => o.kernel.id.length));
  return outcomes.map((o) => `${`${o.kernel.id}:`.padEnd(width + 3)}${o.ok ? done(o.value) : `failed: ${o.error}`}`).join('\n') + '\n';
}

/** `fleet list`: every kernel with what its status file says (no kernel is contacted). */
export function formatFleet(entries: KernelEntry[], dir: string): string {
  if (!entries.length) return `No kernels in ${dir}.\n`;
  const header = ['ID', 'PID', 'STATE', 'RUNTIME', 'CLIENTS', 'SHARED', 'DAP'];
  const rows = entries.map((k) => {
    const alive = k.state === 'alive';
    const s = k.status;
    return [k.id, k.info?.pid ?? '-', k.state, alive ? s?.state ?? '?' : '-', alive ? (s ? clientCount(s) : '?') : '-', alive ? s?.shared_breakpoints.length ?? '?' : '-', k.info?.dap_port ?? '-'].map(String);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padEnd(widths[c])).join('  ').trimEnd();
  let out = [line(header), ...rows.map(line)].join('\n') + '\n';
  const stale = entries.filter((k) => k.state !== 'alive').length;
  if (stale) out += `\n${stale} stale or unreadable connection file${stale > 1 ? 's' : ''} (the kernel is gone): \`llmspell kernel stop ID\` removes ${stale > 1 ? 'them' : 'it'}.\n`;
  return out;
}
