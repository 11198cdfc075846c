import type { MessagePort } from 'node:worker_threads';
import type { CodeCacheStatus } from './code-cache.cjs';
import type { DebugEvent, DebugReply } from './debug-protocol.js';
// The typed messages between a runtime's owner (main thread) and its worker thread.
// Nothing here names a Lua type: a second language's worker would speak the same union.

/** How a run of a file or chunk ended. */
export type RunOutcome =
  | { status: 'ok'; values: string[] }
  | { status: 'error'; kind: 'runtime' | 'syntax' | 'load'; message: string; traceback?: string }
  | { status: 'exit'; code: number }
  | { status: 'terminated' };

/** Where io.read reads: this process's stdin, nothing (end of input), or the owner on request (Jupyter's input_request). */
export type StdinMode = 'inherit' | 'none' | 'request';

/** Whether source text is a whole chunk, the start of one, or wrong whatever follows. */
export type Completeness = 'complete' | 'incomplete' | 'invalid';

export interface RuntimeOptions {
  /** Working directory the script sees for relative paths. */
  cwd: string;
  /** Environment the script sees through os.getenv. */
  env: Record<string, string>;
  stdin: StdinMode;
  /**
   * Whether the worker loads the debugger. Without it (`llmspell run`) the worker starts
   * sooner (its modules, and the set-up it does in the VM, take 15–20 ms), reports
   * `debuggable: false` and refuses debug requests.
   */
  debugger: boolean;
}

export type MainToWorker =
  | { type: 'runFile'; id: number; path: string; args: string[] }
  | { type: 'runChunk'; id: number; code: string; name: string; wantValues: boolean; args?: string[] }
  | { type: 'checkComplete'; id: number; code: string }
  /** The build's training run (scripts/bundle.mjs): write V8's code cache of the worker's bundle. */
  | { type: 'saveCodeCache'; id: number }
  | { type: 'shutdown' };

export type WorkerToMain =
  | { type: 'ready'; language: string; version: string; debuggable: boolean; codeCache: CodeCacheStatus }
  | DebugReply
  | { type: 'debugEvent'; event: DebugEvent }
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: Uint8Array }
  /** reentries: how often the interpreter was re-entered so far (worker/lua/top-level-calls.ts). */
  | { type: 'result'; id: number; outcome: RunOutcome; reentries: number }
  | { type: 'completeness'; id: number; status: Completeness; message?: string }
  | { type: 'codeCacheSaved'; id: number; error?: string }
  | { type: 'inputRequest' }
  | { type: 'fatal'; message: string };

/** Data handed to the worker at start. */
export interface WorkerData {
  options: RuntimeOptions;
  control: SharedArrayBuffer;
  /** Where debug requests arrive; read synchronously while the script is stopped. */
  debugPort: MessagePort;
  /** Where answers to inputRequest arrive (a string, or null for end of input). */
  stdinPort: MessagePort;
}
