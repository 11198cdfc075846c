// threads, continue, next, stepIn, stepOut, pause. Each names a thread: a kernel runs a thread
// per script beside its interactive one (thread 1), and each is resumed on its own or with the
// others as DAP's `singleThread` says.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { ResumeAction } from '../../debug/index.js';
import type { DapSession } from '../dap-session.js';
import { expectType } from '../errors.js';
import { engine, requireDebuggee, requireStopped, requireThread, threadArg } from './common.js';

export async function threads(s: DapSession): Promise<P.ThreadsResponse['body']> {
  // A script that has ended has no thread, even while its runtime shuts down.
  return { threads: s.debuggee ? s.debuggee.threads() : [] };
}

type ResumeArgs = { threadId?: unknown; singleThread?: unknown };

/**
 * Resumes the named thread; unless singleThread, every other stopped thread goes on too (DAP:
 * continue resumes all threads; a step with singleThread leaves the other suspended threads
 * suspended). Says whether any thread is left stopped.
 */
async function resume(s: DapSession, command: string, args: ResumeArgs, action: ResumeAction): Promise<boolean> {
  const threadId = threadArg(command, args);
  expectType(command, 'singleThread', args?.singleThread, 'boolean', true);
  const singleThread = args?.singleThread === true;
  const debuggee = requireDebuggee(s, command);
  // A continue of all threads needs some stopped thread; anything else, the named one.
  if (singleThread || action !== 'continue' || !debuggee.anyStopped) requireStopped(s, command, threadId);
  else requireThread(s, command, threadId);
  return engine(debuggee.resume(threadId ?? 1, action, singleThread));
}

export async function continue_(s: DapSession, args: P.ContinueArguments): Promise<P.ContinueResponse['body']> {
  return { allThreadsContinued: await resume(s, 'continue', args, 'continue') };
}

export async function next(s: DapSession, args: P.NextArguments): Promise<void> {
  await resume(s, 'next', args, 'over');
}

export async function stepIn(s: DapSession, args: P.StepInArguments): Promise<void> {
  await resume(s, 'stepIn', args, 'in');
}

export async function stepOut(s: DapSession, args: P.StepOutArguments): Promise<void> {
  await resume(s, 'stepOut', args, 'out');
}

export async function pause(s: DapSession, args: P.PauseArguments): Promise<void> {
  requireThread(s, 'pause', threadArg('pause', args)).pause();
}
