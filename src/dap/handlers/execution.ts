// threads, continue, next, stepIn, stepOut, pause.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapSession } from '../dap-session.js';
import { engine, requireEm, requireStopped } from './common.js';

export async function threads(s: DapSession): Promise<P.ThreadsResponse['body']> {
  return { threads: s.em ? s.em.threads() : [] };
}

export async function continue_(s: DapSession): Promise<P.ContinueResponse['body']> {
  await engine(requireStopped(s, 'continue').continue());
  return { allThreadsContinued: true };
}

export async function next(s: DapSession): Promise<void> {
  await engine(requireStopped(s, 'next').stepOver());
}

export async function stepIn(s: DapSession): Promise<void> {
  await engine(requireStopped(s, 'stepIn').stepIn());
}

export async function stepOut(s: DapSession): Promise<void> {
  await engine(requireStopped(s, 'stepOut').stepOut());
}

export async function pause(s: DapSession): Promise<void> {
  requireEm(s, 'pause').pause();
}
