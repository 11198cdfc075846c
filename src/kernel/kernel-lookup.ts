// Where a running kernel's DAP endpoint is: from an `attach` request's connectionFile (a path)
// or kernelId (looked up in the runtime directory: LLMSPELL_RUNTIME_DIR, else the per-user
// default of src/daemon/runtime-dir.ts), with the key to authenticate.
import * as path from 'node:path';
// The daemon's files, not its index: `llmspell dap` must not load the kernel (ZeroMQ) to find one.
import { findKernel, readKernelEntry, type KernelEntry } from '../daemon/kernel-registry.js';
import { runtimeDir } from '../daemon/runtime-dir.js';
import { dapEndpoint } from './dap-endpoint.js';

export interface KernelDapAddress {
  kernelId: string;
  connectionFile: string;
  host: string;
  port: number;
  key: string;
}

export class KernelNotFound extends Error {}

/** The kernel an attach names, or a KernelNotFound saying what to do. */
export function locateKernel(args: { connectionFile?: unknown; kernelId?: unknown }, cwd = process.cwd()): KernelDapAddress {
  let entry: KernelEntry;
  if (args.connectionFile !== undefined) {
    if (typeof args.connectionFile !== 'string' || !args.connectionFile) throw new KernelNotFound("'attach': connectionFile must be the path of a kernel's connection file");
    entry = readKernelEntry(path.resolve(cwd, args.connectionFile));
  } else {
    if (typeof args.kernelId !== 'string' || !args.kernelId) throw new KernelNotFound("'attach': kernelId must be a kernel id (`llmspell kernel list` shows them)");
    try {
      entry = findKernel(runtimeDir(), args.kernelId);
    } catch (e) {
      throw new KernelNotFound((e as Error).message);
    }
  }
  if (!entry.info) throw new KernelNotFound(`cannot use connection file ${entry.connectionFile}: ${entry.error ?? 'unreadable'}`);
  // A file with a pid says whether its kernel still runs; one Jupyter wrote has none.
  if (entry.state === 'stale' && entry.info.pid !== undefined) {
    throw new KernelNotFound(`kernel ${entry.id} is not running (pid ${entry.info.pid} is gone): ${entry.connectionFile} is stale; \`llmspell kernel stop ${entry.id}\` removes it`);
  }
  if (entry.info.dap_port === undefined) {
    throw new KernelNotFound(`kernel ${entry.id} names no dap_port in ${entry.connectionFile}: start it with \`llmspell kernel start\` (which writes one), or connect to the port it logged`);
  }
  const { host, port } = dapEndpoint(entry.info);
  return { kernelId: entry.id, connectionFile: entry.connectionFile, host: host === '0.0.0.0' ? '127.0.0.1' : host, port, key: entry.info.key };
}
