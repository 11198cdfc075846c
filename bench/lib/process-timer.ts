// Times one process from spawn to exit (wall clock, start-up included) and keeps its output.
import { spawn } from 'node:child_process';
import type { Command } from './commands.js';
import { repoRoot } from './paths.js';

export interface TimedRun {
  ms: number;
  stdout: string;
}

export function timeProcess(cmd: Command): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd.file, cmd.args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    // 'close' comes after exit and after the output pipes are drained.
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${[cmd.file, ...cmd.args].join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-500)}`));
    });
  });
}
