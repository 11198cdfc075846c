// A runtime started before it is needed: a worker takes about 100 ms to boot (Node's own
// bootstrap in the thread, loading the VM and its WebAssembly), and a command that will
// certainly need one (`llmspell run`) can start it while the rest of the command line loads.
// The first runtime asked for with the same options takes it over; until then it does not
// keep the process alive, so a command that ends early (a usage error) still exits.
import type { RuntimeOptions } from './protocol.js';
import { ScriptRuntime } from './script-runtime.js';

type EarlyOptions = Pick<Partial<RuntimeOptions>, 'cwd' | 'stdin' | 'debugger'>;

let early: { runtime: ScriptRuntime; key: string } | null = null;

function keyOf(options: EarlyOptions): string {
  return JSON.stringify([options.cwd ?? process.cwd(), options.stdin ?? 'none', options.debugger ?? true]);
}

/** Starts a runtime now, for takePrestartedRuntime to hand out later. */
export function prestartRuntime(options: EarlyOptions): void {
  if (early) return;
  const runtime = new ScriptRuntime(options);
  runtime.keepProcessAlive(false);
  // A worker that fails to boot is reported when it is used, not here.
  runtime.start().catch(() => undefined);
  early = { runtime, key: keyOf(options) };
}

/** The prestarted runtime, if one was started with these options and is still alive. */
export function takePrestartedRuntime(options: EarlyOptions): ScriptRuntime | null {
  if (!early || early.key !== keyOf(options) || !early.runtime.isAlive) return null;
  const { runtime } = early;
  early = null;
  runtime.keepProcessAlive(true);
  return runtime;
}
