// `kernel start --daemon`: the command starts itself again without --daemon as a detached
// child (its own session, so no controlling terminal; stdio to the log file), waits until
// the child's kernel answers its heartbeat or the child fails, and reports which.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { pingHeartbeat } from '../jupyter/client.js';
import { readKernelEntry } from './kernel-registry.js';
import { checkNotRunning, openLogFd, planServiceKernel, ServiceError, type ServiceKernelOptions, type ServicePlan } from './service-kernel.js';

export interface DaemonStarted extends ServicePlan {
  pid: number;
  logFile: string;
}

const START_TIMEOUT_MS = 30_000;

export async function startDaemon(o: ServiceKernelOptions & { trace: string }, timeoutMs = START_TIMEOUT_MS): Promise<DaemonStarted> {
  const plan = planServiceKernel(o, true) as ServicePlan & { logFile: string };
  // Checked here for a clear refusal; the child takes the pid file exclusively all the same.
  checkNotRunning(plan);
  const fd = openLogFd(plan.logFile);
  const logStart = fs.fstatSync(fd).size;
  const args = [
    ...process.execArgv, process.argv[1], 'kernel', 'start',
    '--id', plan.id, '--ip', o.ip, '--log-file', plan.logFile, '--pid-file', plan.pidFile, '--trace', o.trace,
    ...(o.portBase !== undefined ? ['--port', String(o.portBase)] : []),
    ...(o.wsPort !== undefined ? ['--ws-port', String(o.wsPort)] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], cwd: process.cwd(), env: process.env });
  fs.closeSync(fd);
  const seen: { exited: { code: number | null; signal: string | null } | null; error: Error | null } = { exited: null, error: null };
  child.once('exit', (code, signal) => { seen.exited = { code, signal }; });
  child.once('error', (e) => { seen.error = e; });

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (seen.error) throw new ServiceError(`cannot start the kernel process: ${seen.error.message}`);
      if (seen.exited) throw new ServiceError(`the kernel did not start: ${failureFromLog(plan.logFile, logStart) ?? describeExit(seen.exited)} (log: ${plan.logFile})`);
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new ServiceError(`the kernel did not answer within ${timeoutMs / 1000} s; stopped it (log: ${plan.logFile})`);
      }
      const entry = fs.existsSync(plan.connectionFile) ? readKernelEntry(plan.connectionFile) : null;
      if (entry?.info && entry.info.pid === child.pid && (await pingHeartbeat(entry.info, 250))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.unref();
  }
  return { ...plan, pid: child.pid! };
}

function describeExit(e: { code: number | null; signal: string | null }): string {
  return e.signal ? `it was killed by ${e.signal}` : `it exited with code ${e.code}`;
}

/** The reason a failed child gave: its "llmspell: ..." line, else its last error log line. */
function failureFromLog(file: string, from: number): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file).subarray(from).toString('utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n').filter(Boolean);
  const said = lines.filter((l) => l.startsWith('llmspell: ')).pop();
  if (said) return said.slice('llmspell: '.length);
  for (const l of lines.reverse()) {
    try {
      const j = JSON.parse(l) as { level?: string; msg?: string; err?: string };
      if ((j.level === 'error' || j.level === 'fatal') && j.msg) return j.err ? `${j.msg}: ${j.err}` : j.msg;
    } catch {
      // not a log line
    }
  }
  return null;
}
