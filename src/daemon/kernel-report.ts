// What `kernel list` and `kernel status` print: a table, key/value lines, or JSON.
import type { KernelEntry } from './kernel-registry.js';
import { clientCount, type StatusClient } from './status-file.js';

export interface KernelSummary {
  id: string;
  pid: number | null;
  state: string;
  ip: string | null;
  ports: { shell: number; iopub: number; stdin: number; control: number; hb: number; dap: number | null; ws: number | null } | null;
  /** Attached clients (Jupyter connections plus debuggers with a connection of their own); null when unknown. */
  clients: number | null;
  /** From the kernel's status file: what runs, who is attached, shared breakpoints. */
  runtime_state: string | null;
  jupyter_frontends: number | null;
  debuggers: StatusClient[] | null;
  shared_breakpoints: { source: string; line: number; condition?: string }[] | null;
  connection_file: string;
  pid_file: string | null;
  log_file: string | null;
  started: string | null;
  error?: string;
}

export function summarize(k: KernelEntry): KernelSummary {
  const i = k.info;
  return {
    id: k.id,
    pid: i?.pid ?? null,
    state: k.state,
    ip: i?.ip ?? null,
    ports: i ? { shell: i.shell_port, iopub: i.iopub_port, stdin: i.stdin_port, control: i.control_port, hb: i.hb_port, dap: i.dap_port ?? null, ws: i.ws_port ?? null } : null,
    clients: k.status ? clientCount(k.status) : null,
    runtime_state: k.status?.state ?? null,
    jupyter_frontends: k.status?.jupyter_frontends ?? null,
    debuggers: k.status?.debuggers ?? null,
    shared_breakpoints: k.status?.shared_breakpoints ?? null,
    connection_file: k.connectionFile,
    pid_file: i?.pid_file ?? null,
    log_file: i?.log_file ?? null,
    started: i?.started ?? null,
    ...(k.error ? { error: k.error } : {}),
  };
}

export function formatList(entries: KernelEntry[], dir: string): string {
  if (entries.length === 0) return `No kernels in ${dir}.\n`;
  const header = ['ID', 'PID', 'STATE', 'IP', 'SHELL', 'IOPUB', 'STDIN', 'CONTROL', 'HB', 'DAP', 'CLIENTS'];
  const rows = entries.map((k) => {
    const s = summarize(k);
    const p = s.ports;
    return [s.id, s.pid ?? '-', s.state, s.ip ?? '-', p?.shell ?? '-', p?.iopub ?? '-', p?.stdin ?? '-', p?.control ?? '-', p?.hb ?? '-', p?.dap ?? '-', k.state === 'alive' ? s.clients ?? '?' : '-'].map(String);
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padEnd(widths[c])).join('  ').trimEnd();
  let out = [line(header), ...rows.map(line)].join('\n') + '\n';
  const stale = entries.filter((k) => k.state !== 'alive');
  if (stale.length) {
    out += `\n${stale.length} stale or unreadable connection file${stale.length > 1 ? 's' : ''} (the kernel is gone): \`llmspell kernel stop ID\` removes ${stale.length > 1 ? 'them' : 'it'}.\n`;
  }
  return out;
}

/** A script a kernel runs, as `kernel status` shows it. */
export interface ScriptRow {
  threadId: number;
  name: string;
  state: string;
}

/** `nightly.lua (thread 2, running), ...`; `none`; or `unknown` when the kernel was not asked. */
export function describeScripts(scripts: ScriptRow[] | null): string {
  if (scripts === null) return 'unknown';
  if (scripts.length === 0) return 'none';
  return scripts.map((s) => `${s.name} (thread ${s.threadId}, ${s.state})`).join(', ');
}

export function formatStatus(k: KernelEntry, heartbeat: boolean | null, scripts: ScriptRow[] | null = null): string {
  const s = summarize(k);
  const p = s.ports;
  const state = k.state === 'alive' ? (heartbeat === false ? 'alive, but not answering its heartbeat' : 'alive') : k.state === 'stale' ? 'stale (its process is gone; `llmspell kernel stop ID` removes its files)' : `unreadable: ${k.error}`;
  const rows: [string, string | number | null][] = [
    ['Kernel', s.id],
    ['State', state],
    ['PID', s.pid],
    ['Started', s.started],
    ['Listening on', s.ip],
    ['Ports', p ? `shell ${p.shell}, iopub ${p.iopub}, stdin ${p.stdin}, control ${p.control}, hb ${p.hb}` : null],
    ['DAP port', p?.dap ?? null],
    ['WebSocket port', p?.ws ?? null],
    ['Runtime', s.runtime_state],
    ['Clients', k.state !== 'alive' ? null : s.clients === null ? 'unknown (the kernel keeps no status file)' : describeClients(s)],
    ['Shared breakpoints', s.shared_breakpoints?.length ? s.shared_breakpoints.map((b) => `${b.source}:${b.line}${b.condition ? ` if ${b.condition}` : ''}`).join('\n' + ' '.repeat(20)) : null],
    ['Scripts', k.state === 'alive' ? describeScripts(scripts) : null],
    ['Connection file', s.connection_file],
    ['PID file', s.pid_file],
    ['Log file', s.log_file],
  ];
  return rows.filter(([, v]) => v !== null).map(([key, v]) => `${`${key}:`.padEnd(20)}${v}`).join('\n') + '\n';
}

const KIND_NAMES: Record<string, string> = {
  'dap-tcp': 'DAP client', 'dap-stdio': 'editor via llmspell dap', 'dap-websocket': 'DAP client over WebSocket', terminal: 'terminal debugger', jupyter: "Jupyter frontend's debugger",
};

/** "3 (1 Jupyter connection, 2 debuggers)" and one line per debugger. */
function describeClients(s: KernelSummary): string {
  const debuggers = s.debuggers ?? [];
  const frontends = s.jupyter_frontends ?? 0;
  const parts = [`${frontends} Jupyter connection${frontends === 1 ? '' : 's'}`, `${debuggers.length} debugger${debuggers.length === 1 ? '' : 's'}`];
  const lines = debuggers.map((d) => `${' '.repeat(20)}${d.id}: ${KIND_NAMES[d.kind] ?? d.kind}${d.remote ? ` from ${d.remote}` : ''}, since ${d.attachedAt}, ${d.breakpoints} breakpoint${d.breakpoints === 1 ? '' : 's'}`);
  return [`${s.clients} (${parts.join(', ')})`, ...lines].join('\n');
}
