// threads, continue, next, stepIn, stepOut, pause.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapSession } from '../dap-session.js';
import { expectType } from '../errors.js';
import { engine, requireEm, requireStopped } from './common.js';

export async function threads(s: DapSession): Promise<P.ThreadsResponse['body']> {
  // A script that has ended has no thread, even while its runtime shuts down.
  return { threads: s.em && !s.em.hasEnded ? s.em.threads() : [] };
}

/** Requests that name a thread: there is one (id 1), but a threadId of the wrong type is an error. */
function checkThread(command: string, args: { threadId?: unknown } | undefined): void {
  expectType(command, 'threadId', args?.threadId, 'number', true);
}

export async function continue_(s: DapSession, args: P.ContinueArguments): Promise<P.ContinueResponse['body']> {
  checkThread('continue', args);
  await engine(requireStopped(s, 'continue').continue());
  return { allThreadsContinued: true };
}

export async function next(s: DapSession, args: P.NextArguments): Promise<void> {
  checkThread('next', args);
  await engine(requireStopped(s, 'next').stepOver());
}

export async function stepIn(s: DapSession, args: P.StepInArguments): Promise<void> {
  checkThread('stepIn', args);
  await engine(requireStopped(s, 'stepIn').stepIn());
}

export async function stepOut(s: DapSession, args: P.StepOutArguments): Promise<void> {
  checkThread('stepOut', args);
  await engine(requireStopped(s, 'stepOut').stepOut());
}

export async function pause(s: DapSession, args: P.PauseArguments): Promise<void> {
  checkThread('pause', args);
  requireEm(s, 'pause').pause();
}
