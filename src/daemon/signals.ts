// What signals do to a running kernel. Two policies, chosen by who started the kernel:
//
//   signal    jupyter (started by Jupyter with --connection-file)   service (self-started, daemon)
//   SIGTERM   graceful shutdown                                     graceful shutdown
//   SIGINT    interrupt the running cell (Jupyter's signal mode)    graceful shutdown
//   SIGHUP    graceful shutdown (the terminal went away)            reopen the log file (logrotate)
//   SIGUSR1   status dump to the log                                status dump to the log
//   SIGUSR2   toggle debug logging                                  toggle debug logging
//   SIGQUIT   stop the running code: the cell, every `kernel run` script (the kernel stays)
//
// Jupyter may interrupt a kernel with SIGINT, so a Jupyter-launched kernel keeps SIGINT for
// that; a kernel run as a service is interrupted over the protocol (`llmspell kernel interrupt`)
// and stops on Ctrl-C or SIGINT as services do. A second stop signal during the graceful
// shutdown exits at once. SIGQUIT is the one signal that stops code without stopping the
// kernel (a runaway cell or script in a daemon), under both policies.
import type { Logger } from 'pino';
import { reopenLogFile, setTraceLevel, traceLevel, type TraceLevel } from '../log/index.js';

export type SignalPolicy = 'jupyter' | 'service';

export interface KernelSignalActions {
  /** Begin a graceful shutdown. */
  stop(why: string): void;
  /** Interrupt the running cell. */
  interrupt(): void;
  /** Stop everything that runs (the cell, every script), not the kernel; says what it stopped. */
  stopCode(): Record<string, unknown>;
  /** What SIGUSR1 writes to the log. */
  status(): Promise<Record<string, unknown>> | Record<string, unknown>;
}

type Signal = 'SIGTERM' | 'SIGINT' | 'SIGHUP' | 'SIGUSR1' | 'SIGUSR2' | 'SIGQUIT';

/** Installs the policy's handlers; returns a function that removes them. */
export function installKernelSignals(policy: SignalPolicy, actions: KernelSignalActions, log: Logger): () => void {
  let stopping = false;
  // A second stop signal while the graceful shutdown runs (Ctrl-C again) ends the process at
  // once; exit handlers still remove the kernel's files.
  const stop = (sig: Signal): void => {
    if (stopping) {
      log.warn({ signal: sig }, `${sig} during shutdown: exiting at once`);
      process.exit(1);
    }
    stopping = true;
    actions.stop(sig);
  };
  const handlers: Record<Signal, () => void> = {
    SIGTERM: () => stop('SIGTERM'),
    SIGINT: policy === 'jupyter' ? () => actions.interrupt() : () => stop('SIGINT'),
    SIGHUP: policy === 'jupyter' ? () => stop('SIGHUP') : () => reopenLog(log),
    SIGUSR1: () => void dumpStatus(actions, log),
    SIGUSR2: () => toggleDebugLogging(log),
    SIGQUIT: () => atVisibleLevel(log, { signal: 'SIGQUIT', ...actions.stopCode() }, 'stopping the running code (SIGQUIT); the kernel goes on'),
  };
  for (const [sig, fn] of Object.entries(handlers)) process.on(sig, fn);
  return () => {
    for (const [sig, fn] of Object.entries(handlers)) process.off(sig, fn);
  };
}

/** The level in force before SIGUSR2 turned debug logging on; null while it is off. */
let levelBeforeDebug: TraceLevel | null = null;

function currentLevel(): TraceLevel {
  const l = traceLevel();
  return (l === 'silent' ? 'off' : l) as TraceLevel;
}

/** SIGUSR2: debug logging on (from whatever level was set) or back off to that level. */
export function toggleDebugLogging(log: Logger): void {
  if (levelBeforeDebug === null) {
    levelBeforeDebug = currentLevel();
    if (levelBeforeDebug !== 'trace') setTraceLevel('debug');
    log.info({ signal: 'SIGUSR2', log_level: currentLevel(), previous: levelBeforeDebug }, 'debug logging enabled (SIGUSR2)');
  } else {
    const back = levelBeforeDebug;
    levelBeforeDebug = null;
    // Said while debug logging is still on, so the line is written whatever level comes back.
    log.info({ signal: 'SIGUSR2', log_level: back }, 'debug logging disabled (SIGUSR2)');
    setTraceLevel(back);
  }
}

function reopenLog(log: Logger): void {
  if (reopenLogFile()) atVisibleLevel(log, { signal: 'SIGHUP' }, 'log file reopened (SIGHUP)');
  else atVisibleLevel(log, { signal: 'SIGHUP' }, 'SIGHUP: logging to stderr, no log file to reopen');
}

async function dumpStatus(actions: KernelSignalActions, log: Logger): Promise<void> {
  try {
    const status = await actions.status();
    atVisibleLevel(log, { signal: 'SIGUSR1', status }, 'status (SIGUSR1)');
  } catch (e) {
    log.error({ signal: 'SIGUSR1', err: (e as Error).message }, 'status dump failed');
  }
}

/** A line someone asked for by signal: at info, or the most detailed level the log shows. */
function atVisibleLevel(log: Logger, obj: Record<string, unknown>, msg: string): void {
  const level = (['info', 'warn', 'error', 'fatal'] as const).find((l) => log.isLevelEnabled(l));
  if (level) log[level](obj, msg);
}
