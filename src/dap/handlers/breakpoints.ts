// setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints, breakpointLocations.
// Breakpoints are this client's own (its session id is the owner): the effective set is the
// union over clients, kept by the ExecutionManager.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as path from 'node:path';
import type { ExecutionManager } from '../../debug/index.js';
import type { DapSession } from '../dap-session.js';
import { badArgs, expectType } from '../errors.js';
import { engine } from './common.js';

/** Breakpoints set before launch wait in a manager the session creates lazily. */
const early = new WeakMap<DapSession, { source: string; bps: P.SourceBreakpoint[] }[]>();

function sourcePath(s: DapSession, source: P.Source | undefined, command: string): string {
  if (!source || typeof source !== 'object') throw badArgs(`'${command}': argument 'source' must be an object`);
  if (typeof source.path !== 'string' || !source.path) throw badArgs(`'${command}': source.path is required (sources without a path cannot hold breakpoints)`);
  return path.resolve(source.path);
}

export async function setBreakpoints(s: DapSession, args: P.SetBreakpointsArguments): Promise<P.SetBreakpointsResponse['body']> {
  const file = sourcePath(s, args.source, 'setBreakpoints');
  expectType('setBreakpoints', 'breakpoints', args.breakpoints, 'array', true);
  const given: P.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
  const wanted = given.map((b, i) => {
    if (typeof b !== 'object' || b === null || typeof b.line !== 'number') throw badArgs(`'setBreakpoints': breakpoints[${i}].line must be a number`);
    return { line: s.fromClientLine(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage };
  });
  if (!s.em) {
    // No script yet: remember them; launch pushes them. Report them pending.
    const list = early.get(s) ?? [];
    list.push({ source: file, bps: args.breakpoints ?? [] });
    early.set(s, list);
    return { breakpoints: wanted.map((b) => ({ verified: false, line: s.toClientLine(b.line), message: 'pending: the script has not started' })) };
  }
  const states = await engine(s.em.setBreakpoints(file, wanted, s.id));
  return { breakpoints: states.map((b) => s.toDapBreakpoint(b)) };
}

/** Applies breakpoints a client set before the script existed (called by targets at launch). */
export async function applyEarlyBreakpoints(s: DapSession, em: ExecutionManager): Promise<void> {
  for (const { source, bps } of early.get(s) ?? []) {
    const states = await em.setBreakpoints(source, bps.map((b) => ({ line: s.fromClientLine(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage })), s.id);
    for (const st of states) s.sendEvent('breakpoint', { reason: 'changed', breakpoint: s.toDapBreakpoint(st) });
  }
  early.delete(s);
  const fns = earlyFunctions.get(s);
  if (fns) await em.setFunctionBreakpoints(fns, s.id);
  const exc = earlyExceptions.get(s);
  if (exc) await em.setExceptionBreakpoints(exc, s.id);
}

const earlyFunctions = new WeakMap<DapSession, { name: string; condition?: string; hitCondition?: string }[]>();
const earlyExceptions = new WeakMap<DapSession, { filter: 'uncaught' | 'all'; condition?: string }[]>();

export async function setFunctionBreakpoints(s: DapSession, args: P.SetFunctionBreakpointsArguments): Promise<P.SetFunctionBreakpointsResponse['body']> {
  expectType('setFunctionBreakpoints', 'breakpoints', args.breakpoints, 'array');
  const wanted = args.breakpoints.map((b, i) => {
    if (typeof b?.name !== 'string' || !b.name.trim()) throw badArgs(`'setFunctionBreakpoints': breakpoints[${i}].name must be a function name`);
    return { name: b.name.trim(), condition: b.condition, hitCondition: b.hitCondition };
  });
  if (!s.em) {
    earlyFunctions.set(s, wanted);
    return { breakpoints: wanted.map(() => ({ verified: false, message: 'pending: the script has not started' })) };
  }
  const states = await engine(s.em.setFunctionBreakpoints(wanted, s.id));
  return { breakpoints: states.map((b) => s.toDapBreakpoint(b)) };
}

export async function setExceptionBreakpoints(s: DapSession, args: P.SetExceptionBreakpointsArguments): Promise<P.SetExceptionBreakpointsResponse['body']> {
  expectType('setExceptionBreakpoints', 'filters', args.filters, 'array');
  const filters: { filter: 'uncaught' | 'all'; condition?: string }[] = [];
  for (const f of args.filters) {
    if (f !== 'uncaught' && f !== 'all') throw badArgs(`'setExceptionBreakpoints': unknown filter '${String(f)}' (use 'uncaught' or 'all')`);
    filters.push({ filter: f });
  }
  for (const o of args.filterOptions ?? []) {
    if (o.filterId !== 'uncaught' && o.filterId !== 'all') throw badArgs(`'setExceptionBreakpoints': unknown filter '${String(o.filterId)}'`);
    filters.push({ filter: o.filterId, condition: o.condition });
  }
  if (!s.em) {
    earlyExceptions.set(s, filters);
    return { breakpoints: filters.map(() => ({ verified: true })) };
  }
  const states = await engine(s.em.setExceptionBreakpoints(filters, s.id));
  return { breakpoints: states.map((b) => ({ verified: b.verified, message: b.message })) };
}

export async function breakpointLocations(s: DapSession, args: P.BreakpointLocationsArguments): Promise<P.BreakpointLocationsResponse['body']> {
  const file = sourcePath(s, args.source, 'breakpointLocations');
  expectType('breakpointLocations', 'line', args.line, 'number');
  if (!s.em) return { breakpoints: [] };
  const lines = await engine(s.em.breakpointLocations(file, s.fromClientLine(args.line), args.endLine === undefined ? undefined : s.fromClientLine(args.endLine)));
  return { breakpoints: lines.map((l) => ({ line: s.toClientLine(l) })) };
}
