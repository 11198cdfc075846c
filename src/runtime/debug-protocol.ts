// The debugger's messages between the main thread and a runtime worker. Plain data in the
// language of debuggers (sources, lines, frames, variables), not of Lua and not of DAP:
// src/debug translates it for its users; src/dap translates that to the wire.
import type { PackedVariables } from './variable-list.js';

export interface SourceBreakpointSpec {
  id: number;
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface FunctionBreakpointSpec {
  id: number;
  name: string;
  condition?: string;
  hitCondition?: string;
}

export type ExceptionFilter = 'uncaught' | 'all';
export interface ExceptionFilterSpec {
  filter: ExceptionFilter;
  condition?: string;
}

/** Where a breakpoint ended up: verified at a line, or not, with the reason. */
export interface BreakpointState {
  id: number;
  verified: boolean;
  line?: number;
  message?: string;
  /** Absolute path of the source, for function breakpoints once bound. */
  source?: string;
}

export type ResumeAction = 'continue' | 'in' | 'over' | 'out';
export type StopReason = 'breakpoint' | 'function breakpoint' | 'step' | 'pause' | 'entry' | 'exception';

export interface StopInfo {
  reason: StopReason;
  hitBreakpointIds: number[];
  /** One line for the user ("Paused on breakpoint", the error message, ...). */
  description: string;
  /** For exceptions and failing conditions: the error text and the script's traceback. */
  exception?: { message: string; traceback: string; filter: ExceptionFilter | 'condition' };
}

export interface FrameInfo {
  id: number;
  name: string;
  /** Absolute path of the file, when the frame runs code from a file. */
  source?: string;
  /** Chunk name for code that is not from a file ("=stdin", "(eval)"). */
  origin?: string;
  line: number;
  kind: 'script' | 'native' | 'boundary';
  /**
   * The frame's scopes, sent with the stack trace so that the main thread answers `scopes`
   * without a round trip to the worker (each costs two thread wake-ups); valid as the frame is.
   */
  scopes?: ScopeInfo[];
}

export interface ScopeInfo {
  name: 'Locals' | 'Upvalues' | 'Globals';
  ref: number;
  named?: number;
  expensive: boolean;
}

export interface VariableInfo {
  name: string;
  value: string;
  type: string;
  /** Handle to expand this value's children; 0 when it has none. */
  ref: number;
  indexed?: number;
  named?: number;
  /** An expression that evaluates to this value in the frame, when one exists. */
  evaluateName?: string;
}

export interface EvaluateResult {
  value: string;
  type: string;
  ref: number;
  indexed?: number;
  named?: number;
}

export interface CompletionItem {
  label: string;
  type: 'variable' | 'function' | 'field' | 'keyword' | 'module' | 'property';
}

export type EvaluateContext = 'watch' | 'hover' | 'repl' | 'clipboard' | 'variables';

/** What each debug command takes and returns. */
export interface DebugCommands {
  enable: { args: { stopOnEntry: boolean }; result: void };
  setBreakpoints: { args: { source: string; breakpoints: SourceBreakpointSpec[] }; result: BreakpointState[] };
  setFunctionBreakpoints: { args: { breakpoints: FunctionBreakpointSpec[] }; result: BreakpointState[] };
  setExceptionFilters: { args: { filters: ExceptionFilterSpec[] }; result: BreakpointState[] };
  breakpointLocations: { args: { source: string; line: number; endLine?: number }; result: number[] };
  resume: { args: { action: ResumeAction }; result: void };
  pause: { args: Record<string, never>; result: void };
  stackTrace: { args: { start?: number; levels?: number }; result: { frames: FrameInfo[]; total: number } };
  scopes: { args: { frameId: number }; result: ScopeInfo[] };
  variables: { args: { ref: number; filter?: 'indexed' | 'named'; start?: number; count?: number }; result: PackedVariables };
  evaluate: { args: { expression: string; frameId?: number; context: EvaluateContext }; result: EvaluateResult };
  setVariable: { args: { ref: number; name: string; value: string }; result: EvaluateResult };
  setExpression: { args: { expression: string; value: string; frameId?: number }; result: EvaluateResult };
  completions: { args: { text: string; column: number; frameId?: number }; result: CompletionItem[] };
  loadedSources: { args: Record<string, never>; result: string[] };
  exceptionInfo: { args: Record<string, never>; result: StopInfo['exception'] | null };
}

export type DebugCommandName = keyof DebugCommands;

export type DebugRequest = {
  [K in DebugCommandName]: { type: 'debug'; id: number; cmd: K; args: DebugCommands[K]['args'] };
}[DebugCommandName];

export type DebugReply =
  | { type: 'debugReply'; id: number; ok: true; result: unknown }
  | { type: 'debugReply'; id: number; ok: false; error: string };

export type DebugEvent =
  | { kind: 'stopped'; stop: StopInfo }
  | { kind: 'continued' }
  | { kind: 'breakpoint'; state: BreakpointState }
  | { kind: 'loadedSource'; path: string }
  | { kind: 'log'; text: string; source?: string; line?: number };
