// The terminal front ends' public surface.
export { runTerminalDebugger, type TerminalDebuggerOptions } from './terminal-debugger.js';
export { DebugConsole } from './debug-console.js';
