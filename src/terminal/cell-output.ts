// What a cell's iopub message means to a terminal client (`kernel connect`, `kernel connect
// --debug`): text to show, an error to show, or the end of the cell. Each console decides where
// and how to print it.
import type { Message } from '../jupyter/wire.js';

export type CellOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  /** The text/plain of an execute_result or display_data. */
  | { kind: 'result' | 'display'; text: string }
  /** The traceback, or `ename: evalue` without one. */
  | { kind: 'error'; text: string }
  | { kind: 'idle' };

export function cellOutput(msg: Message): CellOutput | null {
  const c = msg.content;
  switch (msg.header.msg_type) {
    case 'stream':
      return { kind: 'stream', name: c.name === 'stderr' ? 'stderr' : 'stdout', text: String(c.text ?? '') };
    case 'execute_result':
    case 'display_data': {
      const plain = ((c.data ?? {}) as Record<string, unknown>)['text/plain'];
      return typeof plain === 'string' ? { kind: msg.header.msg_type === 'execute_result' ? 'result' : 'display', text: plain } : null;
    }
    case 'error': {
      const tb = Array.isArray(c.traceback) ? (c.traceback as string[]) : [];
      return { kind: 'error', text: tb.length ? tb.join('\n') : `${String(c.ename)}: ${String(c.evalue)}` };
    }
    case 'status':
      return c.execution_state === 'idle' ? { kind: 'idle' } : null;
    default:
      return null;
  }
}
