// Option values shared by commands, checked with messages that name the problem.
import { UsageError } from './errors.js';
import { TRACE_LEVELS, type TraceLevel } from '../log/index.js';

export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`invalid port '${text}': use a number from 0 to 65535`);
  return n;
}

export function isLoopback(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1'].includes(host) || host.startsWith('127.');
}

export function parseTraceLevel(text: string): TraceLevel {
  if (!TRACE_LEVELS.includes(text as TraceLevel)) throw new UsageError(`invalid trace level '${text}': use one of ${TRACE_LEVELS.join(', ')}`);
  return text as TraceLevel;
}

export interface BreakAt {
  file: string;
  line: number;
  condition?: string;
}

/** `FILE:LINE` or `FILE:LINE if CONDITION`. */
export function parseBreakAt(text: string): BreakAt {
  const m = /^(.+?):(\d+)(?:\s+if\s+(.+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid breakpoint '${text}': use FILE:LINE or 'FILE:LINE if CONDITION'`);
  return { file: m[1], line: Number(m[2]), condition: m[3] };
}
