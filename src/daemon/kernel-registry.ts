// The kernels a runtime directory knows of: one connection file kernel-<id>.json each. A file
// whose pid no longer runs llmspell is stale (the kernel was killed, or the machine rebooted).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readConnectionFile, type ConnectionInfo } from '../jupyter/connection-file.js';
import { isLlmspellProcess } from './process-check.js';
import { readStatusFile, statusFileOf, type KernelStatusFile } from './status-file.js';

/** What a self-started kernel adds to Jupyter's connection file, for discovery and `kernel stop`. */
export interface ServiceConnectionInfo extends ConnectionInfo {
  pid_file?: string;
  log_file?: string;
  /** ISO time the kernel wrote the file. */
  started?: string;
}

export type KernelState = 'alive' | 'stale' | 'unreadable';

export interface KernelEntry {
  id: string;
  connectionFile: string;
  state: KernelState;
  info: ServiceConnectionInfo | null;
  /** Why the file could not be read (state 'unreadable'). */
  error?: string;
  /** What a live kernel last wrote to its status file (its clients); null when it keeps none. */
  status?: KernelStatusFile | null;
}

const FILE = /^kernel-(.+)\.json$/;

/** Reads one connection file and says whether its kernel runs. */
export function readKernelEntry(connectionFile: string): KernelEntry {
  const base = path.basename(connectionFile);
  let info: ServiceConnectionInfo;
  try {
    info = readConnectionFile(connectionFile) as ServiceConnectionInfo;
  } catch (e) {
    return { id: FILE.exec(base)?.[1] ?? base, connectionFile, state: 'unreadable', info: null, error: (e as Error).message };
  }
  const id = info.kernel_id ?? FILE.exec(base)?.[1] ?? base;
  const alive = typeof info.pid === 'number' && isLlmspellProcess(info.pid);
  if (!alive) return { id, connectionFile, state: 'stale', info };
  return { id, connectionFile, state: 'alive', info, status: readStatusFile(statusFileOf(connectionFile), info.pid) };
}

/** Every kernel-*.json in DIR, sorted by id. A missing directory has none. */
export function listKernels(dir: string): KernelEntry[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => FILE.test(n)).map((n) => readKernelEntry(path.join(dir, n))).sort((a, b) => a.id.localeCompare(b.id));
}

export class KernelLookupError extends Error {}

/**
 * The kernel named by ID (exact, else a unique prefix) in DIR, or by the path of a
 * connection file.
 */
export function findKernel(dir: string, idOrFile: string): KernelEntry {
  const all = listKernels(dir);
  const exact = all.find((k) => k.id === idOrFile);
  if (exact) return exact;
  if (idOrFile.includes('/') || idOrFile.endsWith('.json')) {
    if (fs.existsSync(idOrFile)) return readKernelEntry(path.resolve(idOrFile));
    throw new KernelLookupError(`no connection file ${idOrFile}`);
  }
  const byPrefix = all.filter((k) => k.id.startsWith(idOrFile));
  if (byPrefix.length === 1) return byPrefix[0];
  if (byPrefix.length > 1) throw new KernelLookupError(`'${idOrFile}' names several kernels (${byPrefix.map((k) => k.id).join(', ')}): give more of the id`);
  throw new KernelLookupError(`no kernel '${idOrFile}' in ${dir} (\`llmspell kernel list\` shows the kernels there; LLMSPELL_RUNTIME_DIR chooses the directory)`);
}

/** The DAP port a kernel's connection file names, if any (`dap_port`). */
export function dapPortOf(connectionFile: string): number | undefined {
  const port = readConnectionFile(connectionFile).dap_port;
  return typeof port === 'number' && Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}
