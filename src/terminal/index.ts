// The terminal front ends' public surface.
export { runTerminalDebugger, type TerminalDebuggerOptions } from './terminal-debugger.js';
export { runRepl } from './repl.js';
export { DebugConsole } from './debug-console.js';
export { matchProblem, resolveUserFile, scriptSearchRoots } from './source-files.js';
