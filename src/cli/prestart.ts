// Runs before the command line is parsed (bin/llmspell.js), for start-up time alone: when the
// command is `run`, its Lua runtime starts booting now, in parallel with loading the rest of the
// CLI (commander and every command's module), and `run` takes it over (src/runtime/prestart.ts).
// Anything this guesses wrong costs nothing but the unused worker: parsing stays in main.ts.
import { prestartRuntime } from '../runtime/prestart.js';

export function prestart(argv: readonly string[]): void {
  const args = argv.slice(2);
  if (args[0] !== 'run' || args.includes('--help') || args.includes('-h')) return;
  // The options ScriptRun (src/kernel/run-script.ts) asks for.
  prestartRuntime({ stdin: 'inherit', debugger: false });
}
