// Structured logs on stderr (never stdout: it may carry DAP or a script's output), through
// pino. `--trace LEVEL` sets the level; child loggers name their component; requests add
// their correlation id.
import { pino, destination, type Logger } from 'pino';

export type TraceLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const TRACE_LEVELS: TraceLevel[] = ['off', 'error', 'warn', 'info', 'debug', 'trace'];

let root: Logger = pino({ level: 'warn', base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination({ fd: 2, sync: true }));

export function setTraceLevel(level: TraceLevel): void {
  root.level = level === 'off' ? 'silent' : level;
}

export function traceLevel(): string {
  return root.level;
}

/** Sends logs to a file instead of stderr (daemons). */
export function logToFile(file: string): void {
  const level = root.level;
  root = pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination({ dest: file, sync: true, mkdir: true }));
}

export function logger(component: string): Logger {
  return root.child({ component });
}
