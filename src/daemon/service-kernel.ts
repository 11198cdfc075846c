// A kernel we start ourselves (`llmspell kernel start` without --connection-file): it takes
// its pid file, picks its ports, generates its key, writes its connection file into the
// runtime directory, runs the kernel on it, and removes both files when it stops.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeConnectionFile } from '../jupyter/connection-file.js';
import { pickPorts, pickWebSocketPort, PortError } from '../jupyter/port-picker.js';
import { logger, logToFile } from '../log/index.js';
import { readKernelEntry, type ServiceConnectionInfo } from './kernel-registry.js';
import { acquirePidFile, releasePidFile, pidFileHolder } from './pid-file.js';
import { ensureRuntimeDir, isValidKernelId, kernelPaths } from './runtime-dir.js';
import { statusFileOf } from './status-file.js';

export class ServiceError extends Error {}

export interface ServiceKernelOptions {
  runtimeDir: string;
  id?: string;
  ip: string;
  portBase?: number;
  /** Serve Jupyter messages and DAP over WebSocket on this port (0: a free one). */
  wsPort?: number;
  logFile?: string;
  pidFile?: string;
}

/** The files a self-started kernel uses, its id decided. */
export interface ServicePlan {
  id: string;
  runtimeDir: string;
  connectionFile: string;
  pidFile: string;
  logFile?: string;
}

/** A fresh kernel id: 8 hex digits, as short to type as `kernel stop ID` wants. */
export function newKernelId(): string {
  return randomBytes(4).toString('hex');
}

/** Decides the id and file paths; makes the runtime directory. */
export function planServiceKernel(o: ServiceKernelOptions, defaultLogFile: boolean): ServicePlan {
  const id = o.id ?? newKernelId();
  if (!isValidKernelId(id)) throw new ServiceError(`invalid kernel id '${id}': use up to 64 letters, digits, '.', '_' or '-'`);
  let dir: string;
  try {
    dir = ensureRuntimeDir(o.runtimeDir);
  } catch (e) {
    throw new ServiceError(`cannot create the runtime directory ${o.runtimeDir}: ${(e as Error).message} (set LLMSPELL_RUNTIME_DIR to a directory you can write)`);
  }
  const paths = kernelPaths(dir, id);
  const logFile = o.logFile !== undefined ? path.resolve(o.logFile) : defaultLogFile ? paths.logFile : undefined;
  return { id, runtimeDir: dir, connectionFile: paths.connectionFile, pidFile: o.pidFile !== undefined ? path.resolve(o.pidFile) : paths.pidFile, logFile };
}

/** Refuses a start that would collide with a running kernel (same pid file or same id). */
export function checkNotRunning(plan: ServicePlan): void {
  const holder = pidFileHolder(plan.pidFile);
  if (holder !== null) throw new ServiceError(`pid file ${plan.pidFile} is held by running process ${holder}: stop that kernel first (llmspell kernel stop ${plan.id}) or use another --pid-file`);
  if (fs.existsSync(plan.connectionFile)) {
    const entry = readKernelEntry(plan.connectionFile);
    if (entry.state === 'alive' && entry.info?.pid !== process.pid) throw new ServiceError(`kernel ${plan.id} already runs (pid ${entry.info?.pid}): stop it first, or choose another --id`);
  }
}

/** Opens FILE for appending, created readable by its owner only (logs hold code and values). */
export function openLogFd(file: string): number {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return fs.openSync(file, 'a', 0o600);
  } catch (e) {
    throw new ServiceError(`cannot open the log file ${file}: ${(e as Error).message}`);
  }
}

/** Sends this process's logs to FILE. */
export function openLogFile(file: string): void {
  fs.closeSync(openLogFd(file));
  logToFile(file);
}

/**
 * Runs a self-started kernel in this process until it stops; `onStarted` hears of its
 * connection file once written. The exit code is the kernel's.
 */
export async function runServiceKernel(o: ServiceKernelOptions, onStarted?: (plan: ServicePlan, info: ServiceConnectionInfo) => void): Promise<number> {
  const plan = planServiceKernel(o, false);
  if (plan.logFile) openLogFile(plan.logFile);
  const log = logger('kernel');
  checkNotRunning(plan);
  let got: ReturnType<typeof acquirePidFile>;
  try {
    got = acquirePidFile(plan.pidFile);
  } catch (e) {
    throw new ServiceError(`cannot write the pid file ${plan.pidFile}: ${(e as Error).message}`);
  }
  if (!got.ok) throw new ServiceError(`pid file ${plan.pidFile} is held by running process ${got.heldBy}: stop that kernel first (llmspell kernel stop ${plan.id}) or use another --pid-file`);
  if (got.staleRemoved !== undefined) log.warn({ pidFile: plan.pidFile, stalePid: got.staleRemoved }, 'removed a stale pid file (its process is gone)');

  let wroteConnectionFile = false;
  const cleanup = (): void => {
    // Only files that are still ours: a later kernel with the same id may have taken them.
    if (wroteConnectionFile) {
      const entry = readKernelEntry(plan.connectionFile);
      if (entry.info?.pid === process.pid) fs.rmSync(plan.connectionFile, { force: true });
    }
    releasePidFile(plan.pidFile);
  };
  process.once('exit', cleanup);
  try {
    const asServiceError = (e: Error): never => {
      throw e instanceof PortError ? new ServiceError(e.message) : e;
    };
    const ports = await pickPorts(o.ip, o.portBase).catch(asServiceError);
    const wsPort = o.wsPort === undefined ? undefined : await pickWebSocketPort(o.ip, o.wsPort, Object.values(ports)).catch(asServiceError);
    const info: ServiceConnectionInfo = {
      transport: 'tcp',
      ip: o.ip,
      ...ports,
      ...(wsPort !== undefined ? { ws_port: wsPort } : {}),
      key: randomBytes(32).toString('hex'),
      signature_scheme: 'hmac-sha256',
      kernel_name: 'llmspell',
      kernel_id: plan.id,
      pid: process.pid,
      pid_file: plan.pidFile,
      ...(plan.logFile ? { log_file: plan.logFile } : {}),
      started: new Date().toISOString(),
    };
    // A new file, never one found in its place (a stale file, or a link someone planted).
    fs.rmSync(plan.connectionFile, { force: true });
    writeConnectionFile(plan.connectionFile, info);
    wroteConnectionFile = true;
    log.info({ id: plan.id, connectionFile: plan.connectionFile, pidFile: plan.pidFile, ports: { ...ports, ...(wsPort !== undefined ? { ws_port: wsPort } : {}) } }, 'connection file written');
    onStarted?.(plan, info);
    const { runKernel } = await import('../jupyter/run-kernel.js');
    return await runKernel(plan.connectionFile, log, { signals: 'service', statusFile: statusFileOf(plan.connectionFile) });
  } finally {
    cleanup();
    process.off('exit', cleanup);
    log.info({ id: plan.id }, 'kernel files removed');
  }
}
