// stackTrace, scopes, variables, evaluate, setVariable, setExpression, completions,
// exceptionInfo, source, loadedSources.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as fs from 'node:fs';
import type { EvaluateResult, VariableInfo } from '../../runtime/index.js';
import type { DapSession } from '../dap-session.js';
import { badArgs, DapError, DapErrorCode, expectCount, expectType } from '../errors.js';
import { engine, requireDebuggee, requireStopped } from './common.js';

// Frame ids and variable references name one thread's frame or value: the debuggee routes
// each request to that thread's runtime (and says when the thread is not stopped).

export async function stackTrace(s: DapSession, args: P.StackTraceArguments): Promise<P.StackTraceResponse['body']> {
  expectType('stackTrace', 'threadId', args.threadId, 'number');
  expectCount('stackTrace', 'startFrame', args.startFrame);
  expectCount('stackTrace', 'levels', args.levels);
  requireStopped(s, 'stackTrace', args.threadId);
  const { frames, total } = await engine(s.debuggee!.stackTrace(args.threadId, args.startFrame ?? 0, args.levels ?? 0));
  return {
    totalFrames: total,
    stackFrames: frames.map((f) => {
      const frame: P.StackFrame = { id: f.id, name: f.name, line: f.line > 0 ? s.toClientLine(f.line) : 0, column: f.line > 0 ? s.clientColumn(1) : 0 };
      if (f.source) frame.source = s.source(f.source);
      else if (f.origin) frame.source = { name: f.origin.replace(/^[=@]/, ''), presentationHint: 'deemphasize' };
      if (f.kind === 'boundary') frame.presentationHint = 'label';
      if (f.kind === 'native') frame.presentationHint = 'subtle';
      return frame;
    }),
  };
}

export async function scopes(s: DapSession, args: P.ScopesArguments): Promise<P.ScopesResponse['body']> {
  expectType('scopes', 'frameId', args.frameId, 'number');
  const list = await engine(requireDebuggee(s, 'scopes').scopes(args.frameId));
  return {
    scopes: list.map((sc) => ({
      name: sc.name, variablesReference: sc.ref, namedVariables: sc.named, expensive: sc.expensive,
      presentationHint: sc.name === 'Locals' ? 'locals' : undefined,
    })),
  };
}

function toDapVariable(v: VariableInfo): P.Variable {
  const out: P.Variable = { name: v.name, value: v.value, type: v.type, variablesReference: v.ref };
  if (v.indexed !== undefined) out.indexedVariables = v.indexed;
  if (v.named !== undefined) out.namedVariables = v.named;
  if (v.evaluateName !== undefined) out.evaluateName = v.evaluateName;
  return out;
}

export async function variables(s: DapSession, args: P.VariablesArguments): Promise<P.VariablesResponse['body']> {
  expectType('variables', 'variablesReference', args.variablesReference, 'number');
  if (args.filter !== undefined && args.filter !== 'indexed' && args.filter !== 'named') throw badArgs("'variables': filter must be 'indexed' or 'named'");
  expectCount('variables', 'start', args.start);
  expectCount('variables', 'count', args.count);
  const list = await engine(requireDebuggee(s, 'variables').variables(args.variablesReference, args.filter, args.start, args.count));
  return { variables: list.map(toDapVariable) };
}

export async function evaluate(s: DapSession, args: P.EvaluateArguments): Promise<P.EvaluateResponse['body']> {
  expectType('evaluate', 'expression', args.expression, 'string');
  expectType('evaluate', 'frameId', args.frameId, 'number', true);
  expectType('evaluate', 'context', args.context, 'string', true);
  const debuggee = requireDebuggee(s, 'evaluate');
  if (args.frameId === undefined && !debuggee.anyStopped) requireStopped(s, 'evaluate');
  const context = (['watch', 'hover', 'repl', 'clipboard', 'variables'] as const).find((c) => c === args.context) ?? 'repl';
  const r = await engine(debuggee.evaluate(args.expression, args.frameId, context));
  return { result: r.value, type: r.type, variablesReference: r.ref, indexedVariables: r.indexed, namedVariables: r.named };
}

/** A value as setVariable/setExpression answer it. */
function valueBody(r: EvaluateResult): P.SetVariableResponse['body'] {
  return { value: r.value, type: r.type, variablesReference: r.ref, indexedVariables: r.indexed, namedVariables: r.named };
}

export async function setVariable(s: DapSession, args: P.SetVariableArguments): Promise<P.SetVariableResponse['body']> {
  expectType('setVariable', 'variablesReference', args.variablesReference, 'number');
  expectType('setVariable', 'name', args.name, 'string');
  expectType('setVariable', 'value', args.value, 'string');
  const r = await engine(requireDebuggee(s, 'setVariable').setVariable(args.variablesReference, args.name, args.value));
  return valueBody(r);
}

export async function setExpression(s: DapSession, args: P.SetExpressionArguments): Promise<P.SetExpressionResponse['body']> {
  expectType('setExpression', 'expression', args.expression, 'string');
  expectType('setExpression', 'value', args.value, 'string');
  expectType('setExpression', 'frameId', args.frameId, 'number', true);
  const debuggee = requireDebuggee(s, 'setExpression');
  if (args.frameId === undefined && !debuggee.anyStopped) requireStopped(s, 'setExpression');
  const r = await engine(debuggee.setExpression(args.expression, args.value, args.frameId));
  return valueBody(r);
}

export async function completions(s: DapSession, args: P.CompletionsArguments): Promise<P.CompletionsResponse['body']> {
  expectType('completions', 'text', args.text, 'string');
  expectType('completions', 'column', args.column, 'number');
  expectType('completions', 'frameId', args.frameId, 'number', true);
  const debuggee = requireDebuggee(s, 'completions');
  if (args.frameId === undefined && !debuggee.anyStopped) requireStopped(s, 'completions');
  const items = await engine(debuggee.completions(args.text, s.fromClientColumn(args.column), args.frameId));
  return { targets: items.map((i) => ({ label: i.label, type: i.type })) };
}

export async function exceptionInfo(s: DapSession, args: P.ExceptionInfoArguments): Promise<P.ExceptionInfoResponse['body']> {
  expectType('exceptionInfo', 'threadId', args.threadId, 'number');
  requireStopped(s, 'exceptionInfo', args.threadId);
  const info = await engine(s.debuggee!.exceptionInfo(args.threadId));
  if (!info) throw new DapError(DapErrorCode.Failed, 'the script is not stopped on an error');
  return {
    exceptionId: info.filter === 'condition' ? 'breakpoint condition' : 'error',
    description: info.message,
    breakMode: info.filter === 'all' ? 'always' : 'unhandled',
    details: { message: info.message, stackTrace: info.traceback },
  };
}

export async function source(s: DapSession, args: P.SourceArguments): Promise<P.SourceResponse['body']> {
  expectType('source', 'source', args.source, 'object', true);
  expectType('source', 'sourceReference', args.sourceReference, 'number', true);
  const p = args.source?.path === undefined ? undefined : s.remotePath(args.source.path);
  if (typeof p !== 'string') throw new DapError(DapErrorCode.Failed, 'only sources with a path are available (this code was not loaded from a file)');
  try {
    return { content: fs.readFileSync(p, 'utf8'), mimeType: 'text/x-lua' };
  } catch {
    throw new DapError(DapErrorCode.Failed, `cannot read source ${p}`);
  }
}

export async function loadedSources(s: DapSession): Promise<P.LoadedSourcesResponse['body']> {
  if (!s.debuggee) return { sources: [] };
  return { sources: (await engine(s.debuggee.loadedSources())).map((p) => s.source(p)) };
}
