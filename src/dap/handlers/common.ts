// Helpers shared by the handlers.
import type { ExecutionManager } from '../../debug/index.js';
import type { DapSession } from '../dap-session.js';
import { DapError, DapErrorCode } from '../errors.js';

export function requireEm(s: DapSession, command: string): ExecutionManager {
  if (!s.em) throw new DapError(DapErrorCode.NoProgram, `'${command}': no script is running in this session (send 'launch' or 'attach' first)`);
  return s.em;
}

export function requireStopped(s: DapSession, command: string): ExecutionManager {
  const em = requireEm(s, command);
  if (!em.isStopped) throw new DapError(DapErrorCode.NotStopped, `'${command}' needs the script to be stopped`);
  return em;
}

/** Turns engine errors into DAP errors with the same message. */
export async function engine<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    throw new DapError(DapErrorCode.Failed, e instanceof Error ? e.message : String(e));
  }
}
