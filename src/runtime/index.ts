// The runtime layer's public surface.
export { ScriptRuntime, type ScriptRuntimeEvents } from './script-runtime.js';
export { prestartRuntime, takePrestartedRuntime } from './prestart.js';
export type { Completeness, RunOutcome, RuntimeOptions, StdinMode } from './protocol.js';
export { RuntimeState } from './control-block.js';
export type * from './debug-protocol.js';
export { unpackVariables, type PackedVariables } from './variable-list.js';
