// The runtime layer's public surface.
export { ScriptRuntime, type ScriptRuntimeEvents } from './script-runtime.js';
export type { RunOutcome, RuntimeOptions, StdinMode } from './protocol.js';
