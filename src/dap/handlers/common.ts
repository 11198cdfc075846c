// Helpers shared by the handlers.
import { ThreadNotStopped, type ExecutionManager, type RuntimeThreads } from '../../debug/index.js';
import type { DapSession } from '../dap-session.js';
import { DapError, DapErrorCode, expectType } from '../errors.js';

export function requireDebuggee(s: DapSession, command: string): RuntimeThreads {
  if (!s.debuggee) throw new DapError(DapErrorCode.NoProgram, `'${command}': no script is running in this session (send 'launch' or 'attach' first)`);
  return s.debuggee;
}

/** The runtime of the thread a request names (the main one when it names none). */
export function requireThread(s: DapSession, command: string, threadId: number | undefined): ExecutionManager {
  const debuggee = requireDebuggee(s, command);
  try {
    return debuggee.thread(threadId);
  } catch (e) {
    throw new DapError(DapErrorCode.BadArguments, `'${command}': ${(e as Error).message}`);
  }
}

/** The stopped runtime of the thread a request names. */
export function requireStopped(s: DapSession, command: string, threadId?: number): ExecutionManager {
  const em = requireThread(s, command, threadId);
  if (!em.isStopped) throw new DapError(DapErrorCode.NotStopped, `'${command}' needs ${s.debuggee!.count > 1 ? `thread ${em.threadId}` : 'the script'} to be stopped`);
  return em;
}

/** Checks a request's optional threadId (a thread id is a number). */
export function threadArg(command: string, args: { threadId?: unknown } | undefined): number | undefined {
  expectType(command, 'threadId', args?.threadId, 'number', true);
  return args?.threadId as number | undefined;
}

/** Turns engine errors into DAP errors with the same message. */
export async function engine<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof DapError) throw e;
    const code = e instanceof ThreadNotStopped ? DapErrorCode.NotStopped : DapErrorCode.Failed;
    throw new DapError(code, e instanceof Error ? e.message : String(e));
  }
}
