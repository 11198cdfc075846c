// Runs before the command line is parsed (bin/llmspell.js), for start-up time alone: when the
// command will certainly run a script, its Lua runtime starts booting now, in parallel with
// loading the rest of the CLI (and, for `dap`, the DAP handshake), and the command takes it over
// (src/runtime/prestart.ts) if it asks for a runtime with the same options. Anything this
// guesses wrong costs nothing but the unused worker: parsing stays in main.ts.
import { prestartRuntime } from '../runtime/prestart.js';

export function prestart(argv: readonly string[]): void {
  const args = argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return;
  // The options ScriptRun (src/kernel/run-script.ts) asks for.
  if (args[0] === 'run') prestartRuntime({ stdin: 'inherit', debugger: false });
  // `llmspell dap` on stdio serves one session: a launch in this directory, with no env or
  // terminal of its own, asks for exactly this (src/dap/targets.ts). With --port it may serve
  // many sessions, or none.
  else if (args[0] === 'dap' && !args.some((a) => a === '--port' || a.startsWith('--port='))) prestartRuntime({ stdin: 'none' });
}
