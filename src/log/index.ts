// Structured logs on stderr (never stdout: it may carry DAP or a script's output), through
// pino. `--trace LEVEL` sets the level; child loggers name their component; requests add
// their correlation id.
import { pino, destination, type Logger, type LoggerOptions } from 'pino';

export type TraceLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const TRACE_LEVELS: TraceLevel[] = ['off', 'error', 'warn', 'info', 'debug', 'trace'];

/** One JSON object a line: {"level":"debug","time":"…","component":"…","msg":"…"}. */
const options = (level: string): LoggerOptions => ({
  level,
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

let root: Logger = pino(options('warn'), destination({ fd: 2, sync: true }));
/** One child a component. pino children keep the level they were made with: updated here. */
const children = new Map<string, Logger>();

export function setTraceLevel(level: TraceLevel): void {
  root.level = level === 'off' ? 'silent' : level;
  for (const c of children.values()) c.level = root.level;
}

export function traceLevel(): string {
  return root.level;
}

/** Sends logs to a file instead of stderr (daemons). */
export function logToFile(file: string): void {
  root = pino(options(root.level), destination({ dest: file, sync: true, mkdir: true }));
  children.clear();
}

/** The component's logger; per-request children add their correlation id (`log.child({ req })`). */
export function logger(component: string): Logger {
  let child = children.get(component);
  if (!child) {
    child = root.child({ component });
    children.set(component, child);
  }
  return child;
}
