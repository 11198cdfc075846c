// Lua's warnings (`warn("@on")`, `warn(...)`, "error in __gc" reports) as lua.c's warning
// function gives them: off until "@on", "Lua warning: " before each message, its pieces joined,
// a newline at its end. wasmoon's own function wrote them through emscripten's console, which
// reaches the main thread on a channel of its own: out of order with the script's other
// output, and still in flight when `llmspell run` exits. Here they go to the session's stderr
// like everything else the script writes.
import type { OutputSink } from '../stdio.js';
import type { LuaVm } from './lua-vm.js';

const encoder = new TextEncoder();

export function installWarnings(vm: LuaVm, out: OutputSink): void {
  let state: 'off' | 'on' | 'continuing' = 'off';
  const write = (text: string): void => out('stderr', encoder.encode(text));
  const warnf = (_ud: number, messagePtr: number, toContinue: number): void => {
    const message = vm.readCString(messagePtr);
    if (state !== 'continuing' && !toContinue && message.startsWith('@')) {
      // A control message ("@on", "@off"; others are ignored, as by lua.c).
      if (message === '@on') state = 'on';
      else if (message === '@off') state = 'off';
      return;
    }
    if (state === 'off') return;
    write(state === 'on' ? `Lua warning: ${message}` : message);
    if (toContinue) state = 'continuing';
    else { write('\n'); state = 'on'; }
  };
  vm.raw._lua_setwarnf(vm.L, vm.raw.addFunction(warnf as never, 'viii'), 0);
}
