// Where self-started kernels keep their connection, pid and log files: LLMSPELL_RUNTIME_DIR,
// else $XDG_RUNTIME_DIR/llmspell (a per-user tmpfs on systemd machines), else ~/.llmspell/run.
// A directory we create is private to its owner (0700): connection files hold signing keys.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LLMSPELL_RUNTIME_DIR) return path.resolve(env.LLMSPELL_RUNTIME_DIR);
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'llmspell');
  return path.join(os.homedir(), '.llmspell', 'run');
}

/** Creates the directory (and its parents) when missing; the ones created get mode 0700. */
export function ensureRuntimeDir(dir: string): string {
  const first = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first !== undefined) {
    // mkdir's mode passes through the umask; say it exactly for every directory we made.
    for (let d = dir; d.length >= first.length; d = path.dirname(d)) {
      fs.chmodSync(d, 0o700);
      if (d === first) break;
    }
  }
  return dir;
}

/** The files of kernel ID in DIR. */
export interface KernelPaths {
  connectionFile: string;
  pidFile: string;
  logFile: string;
}

export function kernelPaths(dir: string, id: string): KernelPaths {
  return {
    connectionFile: path.join(dir, `kernel-${id}.json`),
    pidFile: path.join(dir, `kernel-${id}.pid`),
    logFile: path.join(dir, `kernel-${id}.log`),
  };
}

/** Kernel ids name files: letters, digits, '.', '_' and '-', at most 64. */
export function isValidKernelId(id: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/.test(id);
}
