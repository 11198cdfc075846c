// What the terminal debugger's commands (DebugConsole, SessionDriver, NumberedBreakpoints) need
// of the code they debug: the ExecutionManager's own surface, so a local ExecutionManager
// (`llmspell debug`, the REPL) or a kernel reached over DAP (`kernel connect --debug`, see
// remote-debuggee.ts) stands behind the same commands.
import type { EventEmitter } from 'node:events';
import type { ExecutionEvents, ExecutionManager } from '../debug/index.js';

export type Debuggee = Pick<EventEmitter<ExecutionEvents>, 'on' | 'once' | 'off'> & Pick<ExecutionManager,
  | 'isStopped' | 'isRunning'
  | 'setBreakpoints' | 'breakpointList'
  | 'continue' | 'stepIn' | 'stepOver' | 'stepOut' | 'pause' | 'interrupt'
  | 'stackTrace' | 'scopes' | 'variables' | 'evaluate' | 'completions'>;
