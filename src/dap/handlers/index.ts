// Every request we serve, by command: typed params to a result, errors thrown as DapError.
import type { DapSession } from '../dap-session.js';
import * as bp from './breakpoints.js';
import * as ex from './execution.js';
import * as insp from './inspection.js';
import * as life from './lifecycle.js';
import * as scripts from './scripts.js';

export type Handler = (s: DapSession, args: never) => Promise<unknown>;

export const handlers: Record<string, Handler> = {
  initialize: life.initialize,
  launch: life.launch,
  attach: life.attach,
  configurationDone: life.configurationDone,
  restart: life.restart,
  terminate: life.terminate,
  terminateThreads: life.terminateThreads,
  disconnect: life.disconnect,
  cancel: life.cancel,
  setBreakpoints: bp.setBreakpoints,
  setFunctionBreakpoints: bp.setFunctionBreakpoints,
  setExceptionBreakpoints: bp.setExceptionBreakpoints,
  breakpointLocations: bp.breakpointLocations,
  threads: ex.threads,
  continue: ex.continue_,
  next: ex.next,
  stepIn: ex.stepIn,
  stepOut: ex.stepOut,
  pause: ex.pause,
  stackTrace: insp.stackTrace,
  scopes: insp.scopes,
  variables: insp.variables,
  evaluate: insp.evaluate,
  setVariable: insp.setVariable,
  setExpression: insp.setExpression,
  completions: insp.completions,
  exceptionInfo: insp.exceptionInfo,
  source: insp.source,
  loadedSources: insp.loadedSources,
  [scripts.RUN_SCRIPT]: scripts.runScript,
  [scripts.LIST_SCRIPTS]: scripts.listScripts,
};
