// setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints, breakpointLocations.
// Breakpoints are this client's own (its session id is the owner): the effective set is the
// union over clients, kept by the ExecutionManager. The session remembers them (with the ids
// the client was given) so they survive until a script exists and across restarts.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as path from 'node:path';
import type { DapSession } from '../dap-session.js';
import { badArgs, expectType } from '../errors.js';
import { engine } from './common.js';

function sourcePath(source: P.Source | undefined, command: string): string {
  if (!source || typeof source !== 'object' || Array.isArray(source)) throw badArgs(`'${command}': argument 'source' must be an object`);
  if (typeof source.path !== 'string' || !source.path) throw badArgs(`'${command}': source.path is required (sources without a path cannot hold breakpoints)`);
  return path.resolve(source.path);
}

/** Optional string fields of a breakpoint, checked so a wrong type is named, not ignored. */
function optionalText(command: string, where: string, b: object, fields: string[]): void {
  for (const f of fields) expectType(command, `${where}.${f}`, (b as Record<string, unknown>)[f], 'string', true);
}

export async function setBreakpoints(s: DapSession, args: P.SetBreakpointsArguments): Promise<P.SetBreakpointsResponse['body']> {
  const file = s.remotePath(sourcePath(args.source, 'setBreakpoints'));
  expectType('setBreakpoints', 'breakpoints', args.breakpoints, 'array', true);
  expectType('setBreakpoints', 'lines', args.lines, 'array', true);
  const given: P.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
  const wanted = given.map((b, i) => {
    if (typeof b !== 'object' || b === null || typeof b.line !== 'number') throw badArgs(`'setBreakpoints': breakpoints[${i}].line must be a number`);
    optionalText('setBreakpoints', `breakpoints[${i}]`, b, ['condition', 'hitCondition', 'logMessage']);
    return { line: s.fromClientLine(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage };
  });
  const states = await engine(s.breakpoints.setSource(s.debuggee, file, wanted));
  return { breakpoints: states.map((b) => s.toDapBreakpoint(b)) };
}

export async function setFunctionBreakpoints(s: DapSession, args: P.SetFunctionBreakpointsArguments): Promise<P.SetFunctionBreakpointsResponse['body']> {
  expectType('setFunctionBreakpoints', 'breakpoints', args.breakpoints, 'array');
  const wanted = args.breakpoints.map((b, i) => {
    if (typeof b?.name !== 'string' || !b.name.trim()) throw badArgs(`'setFunctionBreakpoints': breakpoints[${i}].name must be a function name`);
    optionalText('setFunctionBreakpoints', `breakpoints[${i}]`, b, ['condition', 'hitCondition']);
    return { name: b.name.trim(), condition: b.condition, hitCondition: b.hitCondition };
  });
  const states = await engine(s.breakpoints.setFunctions(s.debuggee, wanted));
  return { breakpoints: states.map((b) => s.toDapBreakpoint(b)) };
}

export async function setExceptionBreakpoints(s: DapSession, args: P.SetExceptionBreakpointsArguments): Promise<P.SetExceptionBreakpointsResponse['body']> {
  expectType('setExceptionBreakpoints', 'filters', args.filters, 'array');
  expectType('setExceptionBreakpoints', 'filterOptions', args.filterOptions, 'array', true);
  const filters: { filter: 'uncaught' | 'all'; condition?: string }[] = [];
  for (const f of args.filters) {
    if (f !== 'uncaught' && f !== 'all') throw badArgs(`'setExceptionBreakpoints': unknown filter '${String(f)}' (use 'uncaught' or 'all')`);
    filters.push({ filter: f });
  }
  for (const [i, o] of (args.filterOptions ?? []).entries()) {
    if (typeof o !== 'object' || o === null) throw badArgs(`'setExceptionBreakpoints': filterOptions[${i}] must be an object`);
    if (o.filterId !== 'uncaught' && o.filterId !== 'all') throw badArgs(`'setExceptionBreakpoints': unknown filter '${String(o.filterId)}' (use 'uncaught' or 'all')`);
    expectType('setExceptionBreakpoints', `filterOptions[${i}].condition`, o.condition, 'string', true);
    filters.push({ filter: o.filterId, condition: o.condition || undefined });
  }
  const states = await engine(s.breakpoints.setExceptions(s.debuggee, filters));
  return { breakpoints: states.map((b) => ({ verified: b.verified, ...(b.message ? { message: b.message } : {}) })) };
}

export async function breakpointLocations(s: DapSession, args: P.BreakpointLocationsArguments): Promise<P.BreakpointLocationsResponse['body']> {
  const file = s.remotePath(sourcePath(args.source, 'breakpointLocations'));
  expectType('breakpointLocations', 'line', args.line, 'number');
  expectType('breakpointLocations', 'endLine', args.endLine, 'number', true);
  if (!s.debuggee) return { breakpoints: [] };
  const lines = await engine(s.debuggee.breakpointLocations(file, s.fromClientLine(args.line), args.endLine === undefined ? undefined : s.fromClientLine(args.endLine)));
  return { breakpoints: lines.map((l) => ({ line: s.toClientLine(l) })) };
}
