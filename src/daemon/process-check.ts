// Is a pid a running llmspell process? kill(pid, 0) says whether the pid exists; on Linux,
// /proc/PID/cmdline also tells a reused pid (some other program now) from our kernel.
import * as fs from 'node:fs';

export function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when PID runs and, where the system lets us look, runs llmspell. */
export function isLlmspellProcess(pid: number): boolean {
  if (!processExists(pid)) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc (macOS) or not ours to read: trust the pid
  }
  // A zombie (exited, not yet reaped) has an empty command line: it is not running.
  return cmdline.includes('llmspell');
}

/** Resolves true once PID has gone, false if it is still there after timeoutMs. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isLlmspellProcess(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
