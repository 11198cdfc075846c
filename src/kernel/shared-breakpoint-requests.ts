// The kernel's custom DAP request for shared breakpoints, `llmspell/sharedBreakpoints`, on
// dap_port: { action: 'set', source, line, condition? } | { action: 'clear', source, line } |
// { action: 'list' }, answered with the kernel's shared breakpoints after the change. Like any
// request there it needs an authenticated connection: the CLI sends the kernel's key as
// `token` in the request itself (it does not attach, so it is no debugger client), an attached
// client needs none. It is served around the session's handler table, which stays the DAP one.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { badArgs, DapError, DapErrorCode, expectType, type DapSession } from '../dap/index.js';
import { SHARED_BREAKPOINTS_REQUEST, type SharedBreakpointInfo, type SharedBreakpoints } from './shared-breakpoints.js';

export interface SharedBreakpointsBody {
  /** What the request changed: the breakpoint set, or whether a clear found one. */
  breakpoint?: SharedBreakpointInfo;
  removed?: boolean;
  /** All shared breakpoints of the kernel, after the request. */
  breakpoints: SharedBreakpointInfo[];
}

const C = SHARED_BREAKPOINTS_REQUEST;

async function handle(shared: SharedBreakpoints, args: Record<string, unknown>): Promise<SharedBreakpointsBody> {
  const action = args.action;
  if (action === 'list') return { breakpoints: shared.list() };
  if (action !== 'set' && action !== 'clear') throw badArgs(`'${C}': action must be 'set', 'clear' or 'list'`);
  expectType(C, 'source', args.source, 'string');
  if (!(args.source as string).startsWith('/')) throw badArgs(`'${C}': source must be an absolute path (the kernel's own path of the file)`);
  if (typeof args.line !== 'number' || !Number.isInteger(args.line) || args.line < 1) throw badArgs(`'${C}': line must be a line number, 1 or more`);
  const source = args.source as string;
  if (action === 'clear') {
    const removed = await shared.clear(source, args.line);
    return { removed, breakpoints: shared.list() };
  }
  expectType(C, 'condition', args.condition, 'string', true);
  const breakpoint = await shared.set(source, args.line, (args.condition as string | undefined) || undefined);
  return { breakpoint, breakpoints: shared.list() };
}

/** Serves the shared-breakpoint request on SESSION, after ADMIT (the connection's authentication) lets it through. */
export function serveSharedBreakpointRequests(session: DapSession, shared: SharedBreakpoints, admit: (req: P.Request, s: DapSession) => Promise<void>): void {
  const inner = session.hooks.run;
  session.hooks.run = <T>(req: P.Request, s: DapSession, dispatch: () => Promise<T>): Promise<T> => {
    const work = req.command !== C ? dispatch : async (): Promise<T> => {
      await admit(req, s);
      const args = req.arguments ?? {};
      if (typeof args !== 'object' || Array.isArray(args)) throw new DapError(DapErrorCode.BadArguments, `'${C}': arguments must be an object`);
      return await handle(shared, args as Record<string, unknown>) as T;
    };
    return inner ? inner(req, s, work) : work();
  };
}
