// Jupyter connection files: where a kernel's five sockets listen and the key that signs its
// messages. We read Jupyter's fields and check them, so a bad file gets a clear error.
import * as fs from 'node:fs';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
  /** llmspell's own additions for discovery. */
  kernel_id?: string;
  pid?: number;
  dap_port?: number;
  /** The WebSocket endpoint (Jupyter messages and DAP; `kernel start --ws-port`). */
  ws_port?: number;
}

const PORTS = ['shell_port', 'control_port', 'stdin_port', 'iopub_port', 'hb_port'] as const;

export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read connection file ${file}: ${(e as Error).message}`);
  }
  const c = raw as Partial<ConnectionInfo>;
  if (typeof c !== 'object' || c === null) throw new Error(`connection file ${file} is not a JSON object`);
  for (const p of PORTS) {
    if (typeof c[p] !== 'number' || !Number.isInteger(c[p]) || c[p]! < 0 || c[p]! > 65535) throw new Error(`connection file ${file}: ${p} must be a port number`);
  }
  for (const p of ['ws_port'] as const) {
    if (c[p] !== undefined && (typeof c[p] !== 'number' || !Number.isInteger(c[p]) || c[p]! < 0 || c[p]! > 65535)) throw new Error(`connection file ${file}: ${p} must be a port number`);
  }
  const transport = c.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new Error(`connection file ${file}: transport must be tcp or ipc`);
  const scheme = c.signature_scheme ?? 'hmac-sha256';
  if (scheme !== 'hmac-sha256') throw new Error(`connection file ${file}: only hmac-sha256 signatures are supported (got ${scheme})`);
  return { ...c, transport, ip: c.ip ?? '127.0.0.1', key: c.key ?? '', signature_scheme: scheme } as ConnectionInfo;
}

/** Writes a connection file readable only by its owner (it holds the signing key). */
export function writeConnectionFile(file: string, info: ConnectionInfo): void {
  fs.writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
