// `kernel stop`: SIGTERM, then SIGKILL if the kernel has not gone after a timeout, then the
// files it did not remove itself. A stale entry only has its files removed.
import * as fs from 'node:fs';
import type { KernelEntry } from './kernel-registry.js';
import { readPidFile } from './pid-file.js';
import { statusFileOf } from './status-file.js';
import { isLlmspellProcess, waitForExit } from './process-check.js';

export type StopOutcome = 'stopped' | 'killed' | 'stale' | 'survived';

export interface StopResult {
  outcome: StopOutcome;
  removed: string[];
}

export async function stopKernel(k: KernelEntry, timeoutMs: number): Promise<StopResult> {
  const pid = k.info?.pid;
  let outcome: StopOutcome = 'stale';
  if (k.state === 'alive' && typeof pid === 'number') {
    outcome = 'stopped';
    signal(pid, 'SIGTERM');
    if (!(await waitForExit(pid, timeoutMs))) {
      outcome = 'killed';
      signal(pid, 'SIGKILL');
      if (!(await waitForExit(pid, 2000))) outcome = 'survived';
    }
  }
  return { outcome, removed: outcome === 'survived' ? [] : removeKernelFiles(k) };
}

/** The connection file, and the pid file when it names this kernel's pid or no live one. */
export function removeKernelFiles(k: KernelEntry): string[] {
  const removed: string[] = [];
  const pidFile = k.info?.pid_file;
  if (pidFile) {
    const holder = readPidFile(pidFile);
    if (fs.existsSync(pidFile) && (holder === k.info?.pid || holder === null || !isLlmspellProcess(holder))) {
      fs.rmSync(pidFile, { force: true });
      removed.push(pidFile);
    }
  }
  // A killed kernel's status file (a live one removes its own).
  const status = statusFileOf(k.connectionFile);
  if (fs.existsSync(status)) {
    fs.rmSync(status, { force: true });
    removed.push(status);
  }
  if (fs.existsSync(k.connectionFile)) {
    fs.rmSync(k.connectionFile, { force: true });
    removed.push(k.connectionFile);
  }
  return removed;
}

export class StopError extends Error {}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') throw new StopError(`not allowed to signal process ${pid}: the kernel runs as another user (stop it as that user, or with sudo)`);
    // ESRCH: gone already
  }
}
