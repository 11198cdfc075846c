// Pid files: created exclusively (O_EXCL), so of two kernels started on one pid file only one
// gets it; a file left by a process that is gone is stale and replaced; one held by a live
// llmspell process refuses the start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLlmspellProcess } from './process-check.js';

export type PidFileResult =
  | { ok: true; staleRemoved?: number | 'unreadable' }
  | { ok: false; heldBy: number };

/** The pid a pid file names, or null when it is missing or does not hold a pid. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const m = /^\s*(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Who holds FILE: a live llmspell pid, or null when it is free or stale. */
export function pidFileHolder(file: string): number | null {
  const pid = readPidFile(file);
  return pid !== null && pid !== process.pid && isLlmspellProcess(pid) ? pid : null;
}

/** Writes PID into FILE unless a live process holds it; a stale file is replaced. */
export function acquirePidFile(file: string, pid = process.pid): PidFileResult {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let staleRemoved: number | 'unreadable' | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o644);
      try {
        fs.writeSync(fd, `${pid}\n`);
      } finally {
        fs.closeSync(fd);
      }
      return staleRemoved === undefined ? { ok: true } : { ok: true, staleRemoved };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readPidFile(file);
    if (holder === pid) return { ok: true };
    if (holder !== null && isLlmspellProcess(holder)) return { ok: false, heldBy: holder };
    // Another starter may be between creating the file and writing its pid: give it a moment
    // before calling an empty file stale.
    if (holder === null && attempt === 0 && fileAgeMs(file) < 1000) {
      sleepMs(100);
      continue;
    }
    staleRemoved = holder ?? 'unreadable';
    fs.rmSync(file, { force: true });
  }
  const holder = readPidFile(file);
  return { ok: false, heldBy: holder ?? 0 };
}

/** Removes FILE if it still names PID (a file another process took over is left alone). */
export function releasePidFile(file: string, pid = process.pid): void {
  if (readPidFile(file) === pid) fs.rmSync(file, { force: true });
}

function fileAgeMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
