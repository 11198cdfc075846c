// Structured logs on stderr (never stdout: it may carry DAP or a script's output), through
// pino. `--trace LEVEL` sets the level; child loggers name their component; requests add
// their correlation id.
import { createRequire } from 'node:module';
import type { Logger, LoggerOptions } from 'pino';

// pino loads on the first log line, not at start-up: `llmspell run` of an empty script is
// measured in milliseconds and most runs never log.
const require = createRequire(import.meta.url);
type Pino = typeof import('pino');
let pinoModule: Pino | null = null;
const lib = (): Pino => (pinoModule ??= require('pino') as Pino);

export type TraceLevel = 'off' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const TRACE_LEVELS: TraceLevel[] = ['off', 'error', 'warn', 'info', 'debug', 'trace'];

/** One JSON object a line: {"level":"debug","time":"…","component":"…","msg":"…"}. */
const options = (level: string): LoggerOptions => ({
  level,
  base: undefined,
  timestamp: lib().pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

let level = 'warn';
let logFile: string | null = null;
let rootLogger: Logger | null = null;
let fileDestination: { reopen(): void } | null = null;
function root(): Logger {
  if (!rootLogger) {
    const { pino, destination } = lib();
    const dest = logFile ? destination({ dest: logFile, sync: true, mkdir: true, mode: 0o600 }) : destination({ fd: 2, sync: true });
    fileDestination = logFile ? dest : null;
    rootLogger = pino(options(level), dest);
  }
  return rootLogger;
}
/** One child a component. pino children keep the level they were made with: updated here. */
const children = new Map<string, Logger>();

export function setTraceLevel(wanted: TraceLevel): void {
  level = wanted === 'off' ? 'silent' : wanted;
  if (rootLogger) rootLogger.level = level;
  for (const c of children.values()) c.level = level;
}

export function traceLevel(): string {
  return level;
}

/** Whether a line at this level would be written now: lets a caller skip loading pino for one that would not. */
export function isLogged(at: Exclude<TraceLevel, 'off'>): boolean {
  if (level === 'silent') return false;
  return TRACE_LEVELS.indexOf(at) <= TRACE_LEVELS.indexOf(level as TraceLevel);
}

/** Sends logs to a file instead of stderr (daemons); a file it creates has mode 0600. */
export function logToFile(file: string): void {
  logFile = file;
  rootLogger = null;
  fileDestination = null;
  children.clear();
}

/** The file logs go to, or null for stderr. */
export function currentLogFile(): string | null {
  return logFile;
}

/** Opens the log file again by name (after logrotate moved it away); false when logging to stderr. */
export function reopenLogFile(): boolean {
  if (!logFile) return false;
  if (fileDestination) fileDestination.reopen();
  return true;
}

/** The component's logger; per-request children add their correlation id (`log.child({ req })`). */
export function logger(component: string): Logger {
  let child = children.get(component);
  if (!child) {
    child = root().child({ component });
    children.set(component, child);
  }
  return child;
}
