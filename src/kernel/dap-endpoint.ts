// Where a kernel serves DAP, from its connection file. Its own module: `llmspell dap` finds a
// kernel's port with it without loading the kernel's debugging service.
import type { ConnectionInfo } from '../jupyter/connection-file.js';

/** Where DAP listens: dap_port on the kernel's ip, or a free loopback port. */
export function dapEndpoint(info: ConnectionInfo): { host: string; port: number } {
  if (info.dap_port === undefined) return { host: '127.0.0.1', port: 0 };
  if (info.transport !== 'tcp') return { host: '127.0.0.1', port: info.dap_port };
  return { host: info.ip === '*' ? '0.0.0.0' : info.ip, port: info.dap_port };
}
