// initialize, launch, attach, configurationDone, restart, terminate, terminateThreads, disconnect, cancel.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { capabilities } from '../capabilities.js';
import { parsePathMappings } from '../path-mappings.js';
import type { DapSession } from '../dap-session.js';
import { DapError, DapErrorCode, expectType } from '../errors.js';
import { MAIN_THREAD_ID } from '../../debug/index.js';
import { requireThread } from './common.js';

/** How long launch waits for configurationDone before running anyway (as VS Code's samples do). */
const CONFIGURATION_WAIT_MS = 5000;

export async function initialize(s: DapSession, args: P.InitializeRequestArguments): Promise<P.Capabilities> {
  expectType('initialize', 'adapterID', args.adapterID, 'string', true);
  s.linesStartAt1 = args.linesStartAt1 !== false;
  s.columnsStartAt1 = args.columnsStartAt1 !== false;
  s.clientSupportsRunInTerminal = args.supportsRunInTerminalRequest === true;
  s.initialized = true;
  // 'initialized' follows launch/attach: configuration requests then reach a live runtime,
  // which verifies breakpoints against the compiled file.
  return capabilities;
}

type LaunchArgs = P.LaunchRequestArguments & { program?: unknown; args?: unknown; cwd?: unknown; env?: unknown; stopOnEntry?: unknown; console?: unknown; pathMappings?: unknown };

export async function launch(s: DapSession, args: LaunchArgs): Promise<void> {
  if (!s.target.launch) throw new DapError(DapErrorCode.NotSupported, "this server does not launch scripts: use 'attach'");
  if (s.debuggee) throw new DapError(DapErrorCode.Failed, 'this session already has a script; start a new session or use restart');
  expectType('launch', 'program', args.program, 'string');
  expectType('launch', 'args', args.args, 'array', true);
  expectType('launch', 'cwd', args.cwd, 'string', true);
  expectType('launch', 'env', args.env, 'object', true);
  expectType('launch', 'stopOnEntry', args.stopOnEntry, 'boolean', true);
  expectType('launch', 'noDebug', args.noDebug, 'boolean', true);
  if (Array.isArray(args.args) && !args.args.every((a) => typeof a === 'string' || typeof a === 'number')) {
    throw new DapError(DapErrorCode.BadArguments, "'launch': argument 'args' must be an array of strings");
  }
  if (args.env && !Object.values(args.env as object).every((v) => typeof v === 'string')) {
    throw new DapError(DapErrorCode.BadArguments, "'launch': argument 'env' must map names to strings");
  }
  const cwd = (args.cwd as string | undefined) ?? process.cwd();
  const program = path.resolve(cwd, args.program as string);
  if (!fs.existsSync(program)) throw new DapError(DapErrorCode.ProgramNotFound, `program not found: ${program}`);
  if (args.console !== undefined && !['internalConsole', 'integratedTerminal', 'externalTerminal'].includes(String(args.console))) {
    throw new DapError(DapErrorCode.BadArguments, `'launch': console must be internalConsole, integratedTerminal or externalTerminal`);
  }
  s.pathMappings = parsePathMappings('launch', args.pathMappings);
  s.launchArgs = args as Record<string, unknown>;
  const debuggee = await s.target.launch({ ...args, program, cwd }, s);
  s.launched = true;
  s.bind(debuggee);
  s.sendEvent('initialized');
  s.sendEvent('thread', { reason: 'started', threadId: 1 });
}

export async function attach(s: DapSession, args: P.AttachRequestArguments & Record<string, unknown>): Promise<void> {
  if (!s.target.attach) throw new DapError(DapErrorCode.NotSupported, "'attach' needs a running script: start one with `llmspell debug script.lua --port N`, or use 'launch'");
  if (s.debuggee) throw new DapError(DapErrorCode.Failed, 'this session is already attached');
  s.pathMappings = parsePathMappings('attach', args.pathMappings);
  const debuggee = await s.target.attach(args, s);
  s.bind(debuggee, s.target.eventsFor?.(s));
  s.sendEvent('initialized');
  s.sendEvent('thread', { reason: 'started', threadId: 1 });
  for (const t of debuggee.scriptThreads()) s.sendEvent('thread', { reason: 'started', threadId: t.id });
  // Tell a late client where the scripts are, if some are already stopped.
  for (const em of debuggee.stoppedThreads()) {
    const stop = em.lastStop;
    if (stop) s.sendEvent('stopped', s.stoppedBody(stop));
  }
}

export async function configurationDone(s: DapSession): Promise<void> {
  s.markConfigured();
}

/** Used by targets: wait for the client's configuration before running. */
export function waitForConfiguration(s: DapSession): Promise<void> {
  return Promise.race([s.configured, new Promise<void>((r) => setTimeout(r, CONFIGURATION_WAIT_MS).unref())]);
}

export async function restart(s: DapSession, args: P.RestartArguments): Promise<void> {
  expectType('restart', 'arguments', args.arguments, 'object', true);
  if (!s.launched || !s.debuggee || !s.target.launch) throw new DapError(DapErrorCode.NotSupported, 'restart works on launched scripts only');
  const old = s.debuggee;
  s.unbind();
  await old.main.terminate();
  const launchArgs = { ...(s.launchArgs ?? {}), ...((args.arguments as Record<string, unknown> | undefined) ?? {}) } as LaunchArgs;
  const cwd = (launchArgs.cwd as string | undefined) ?? process.cwd();
  s.markConfigured();
  s.bind(await s.target.launch({ ...launchArgs, program: path.resolve(cwd, String(launchArgs.program)), cwd }, s));
}

export async function terminate(s: DapSession): Promise<void> {
  if (!s.debuggee) return;
  if (s.target.terminate) await s.target.terminate(s);
  else await s.debuggee.main.terminate();
}

/**
 * Ends the named threads: a script thread's runtime is terminated (its `thread` exited event
 * follows); thread 1 ends as `terminate` does (a kernel stops its running cell). Every id is
 * checked before any thread is touched.
 */
export async function terminateThreads(s: DapSession, args: P.TerminateThreadsArguments): Promise<void> {
  expectType('terminateThreads', 'threadIds', args?.threadIds, 'array', true);
  const ids = args?.threadIds ?? [];
  for (const id of ids) expectType('terminateThreads', 'threadIds[]', id, 'number');
  const runtimes = ids.map((id) => requireThread(s, 'terminateThreads', id));
  await Promise.all(runtimes.map((em, i) => (ids[i] === MAIN_THREAD_ID ? terminate(s) : em.terminate())));
}

export async function disconnect(s: DapSession, args: P.DisconnectArguments): Promise<void> {
  expectType('disconnect', 'terminateDebuggee', args.terminateDebuggee, 'boolean', true);
  // Respond first, then end the session.
  setImmediate(() => void s.end(args.terminateDebuggee));
}

export async function cancel(_s: DapSession, args: P.CancelArguments): Promise<void> {
  expectType('cancel', 'requestId', args.requestId, 'number', true);
  // Our requests finish in milliseconds: by the time a cancel arrives there is nothing left to stop.
}
