// Top-level chunks (a script, a cell, a REPL line) run on the main thread the way lua_resume
// runs a coroutine, inside a C function that calls them with lua_pcallk and the message handler.
// To the script nothing changes: errors, `coroutine.running()`, tracebacks (`debug.traceback()`
// now ends in "[C]: in ?" as under lua.c; error output and the debugger's stack frames leave the
// runner out). What changes is that the main thread can yield from a hook and be resumed at once,
// and that is how a long script gets the optimised interpreter:
//
// V8 runs WebAssembly as baseline (Liftoff) code first and compiles a hot function with TurboFan
// in the background; the new code is used from the function's next entry on, never by an
// activation already running (V8 has no on-stack replacement for WebAssembly). Lua 5.4 keeps
// every Lua-to-Lua call inside the `luaV_execute` activation that started it, so a script that
// starts before the optimised code exists used to run to its end at baseline speed, about 1.6×
// slower on call-heavy code (docs/performance.md, "Where the time goes"). Resuming enters
// `luaV_execute` afresh, with whatever code V8 has now, and the script's Lua frames, which live
// on Lua's own stack and not on the C stack, carry on there. The main thread asks for this while
// a chunk runs (every 50 ms for a second, then less often: ../../reentry-schedule.ts); each
// request costs one hook call and one resume.
//
// In lua.c the main chunk runs under lua_pcall and cannot yield: coroutine.yield and
// coroutine.isyieldable keep saying so for the main thread. (lua_resume also leaves the main
// thread yieldable to C between runs; every other call into Lua on it is made without a
// continuation, which makes it unyieldable again for that call. Keep it so: a call with a
// continuation outside the runner would have no protected call to return to.)
import {
  LUA_MASKCOUNT, LUA_MULTRET, LUA_OK, LUA_TNONE, LUA_TTABLE, LUA_YIELD, LuaRaise, type LuaState, type LuaVm,
} from './lua-vm.js';

export class TopLevelCalls {
  private readonly runnerPtr: number;
  private readonly finishPtr: number;
  private readonly hookPtr: number;
  /** Set by the hook just before it yields the main thread (any other yield there is refused). */
  private reentering = false;
  /** The hook stays set across the yield (see onHook); this says its next call only removes it. */
  private yieldedHere = false;
  private depth = 0;
  /** How many times the main thread was resumed afresh (for diagnostics and tests). */
  reentries = 0;

  constructor(private readonly vm: LuaVm) {
    const { raw } = vm;
    // Stack of the runner: message handler, function, arguments.
    this.finishPtr = raw.addFunction(((L: LuaState, status: number) => this.finish(L, status)) as never, 'iiii');
    this.runnerPtr = vm.registerFunction((L) => this.finish(L, raw._lua_pcallk(L, vm.getTop(L) - 2, LUA_MULTRET, 1, 0, this.finishPtr)));
    this.hookPtr = raw.addFunction(((L: LuaState) => this.onHook(L)) as never, 'vii');
  }

  /** The main thread is not yieldable to scripts, as under lua.c. */
  install(): void {
    const { vm } = this;
    const L = vm.L;
    vm.getGlobal(L, 'coroutine');
    if (vm.type(L, -1) !== LUA_TTABLE) { vm.pop(L, 1); return; }
    vm.pushFunction(L, (T) => {
      if (T === vm.L) throw new LuaRaise('attempt to yield from outside a coroutine');
      return vm.raw._lua_yieldk(T, vm.getTop(T), 0, 0);
    });
    vm.setField(L, -2, 'yield');
    vm.pushFunction(L, (T) => {
      let co = T;
      if (vm.type(T, 1) !== LUA_TNONE) {
        co = vm.toThread(T, 1);
        if (!co) vm.raw._luaL_typeerror(T, 1, vm.cstr('thread'));
      }
      vm.pushBoolean(T, co !== vm.L && vm.raw._lua_isyieldable(co) !== 0);
      return 1;
    });
    vm.setField(L, -2, 'isyieldable');
    vm.pop(L, 1);
  }

  /** True while a top-level call runs (it may be stopped in the debugger). */
  get active(): boolean { return this.depth > 0; }

  /**
   * As lua_pcall(L, nargs, LUA_MULTRET, msgh) on the main thread: the function and its
   * arguments are on top; the results, or the error, are left where lua_pcall leaves them.
   */
  call(msgh: number, nargs: number): number {
    const { vm } = this;
    const { raw } = vm;
    const L = vm.L;
    const fn = vm.getTop(L) - nargs;
    raw._lua_pushcclosure(L, this.runnerPtr, 0);
    vm.insert(L, fn);
    vm.pushValue(L, msgh);
    vm.insert(L, fn + 1);
    let n = nargs + 2;
    this.depth++;
    try {
      for (;;) {
        this.reentering = false;
        const status = raw._lua_resume(L, 0, n, vm.lenPtr);
        if (status === LUA_OK) break;
        if (status === LUA_YIELD && this.reentering) { n = 0; this.reentries++; continue; }
        // Only an error outside the protected call gets here (memory, in the runner itself).
        const message = status === LUA_YIELD ? 'attempt to yield from outside a coroutine' : vm.toStr(L, -1) ?? 'error in the top-level call';
        raw._lua_resetthread(L);
        vm.setTop(L, fn - 1);
        vm.pushString(L, message);
        return status === LUA_YIELD ? 2 : status;
      }
    } finally {
      this.depth--;
      this.reentering = false;
      // A request that came as the chunk ended must not leave its hook behind.
      if (vm.getHook(L) === this.hookPtr) vm.setHook(L, 0, 0, 0);
      this.yieldedHere = false;
    }
    // The runner returned the status, then the results or the error.
    const status = Number(vm.toInteger(L, fn));
    vm.remove(L, fn);
    return status;
  }

  /**
   * Called asynchronously (a V8 interrupt from the main thread) while a chunk runs: the main
   * thread is resumed afresh after its next instruction. Nothing is done while another hook
   * is set on it: that is the debugger's, and it stays as it is.
   */
  requestReentry(): void {
    const L = this.vm.L;
    if (!this.active || this.vm.getHookMask(L) !== 0) return;
    this.yieldedHere = false;
    this.vm.setHook(L, this.hookPtr, LUA_MASKCOUNT, 1);
  }

  private onHook(L: LuaState): void {
    // A hook that yields marks its frame so that the frame's next hook event is skipped (the
    // instruction is fetched again on resume). Removing the hook before yielding would leave the
    // mark for the debugger's next hook in that frame, a lost line event; so the hook stays set,
    // the marked event passes, and the call after it only removes the hook.
    if (this.yieldedHere || L !== this.vm.L) { this.yieldedHere = false; this.vm.setHook(L, 0, 0, 0); return; }
    // Not inside a C function that called Lua back (a sort comparator, a metamethod from C):
    // that cannot be resumed; a later request will find the script elsewhere.
    if (this.vm.raw._lua_isyieldable(L) === 0) { this.vm.setHook(L, 0, 0, 0); return; }
    this.yieldedHere = true;
    this.reentering = true;
    this.vm.raw._lua_yieldk(L, 0, 0, 0);
  }

  /** Error tracebacks of top-level code end with the runner's frame: this drops that line. */
  static withoutRunnerFrame(traceback: string): string {
    return traceback.replace(/\n\t\[C\]: in \?$/, '');
  }

  /** The runner's end, directly or (after yields) as its continuation: status first, then what pcall left. */
  private finish(L: LuaState, status: number): number {
    // A call that finished normally after a yield is reported as LUA_YIELD.
    this.vm.pushInteger(L, status === LUA_YIELD ? LUA_OK : status);
    this.vm.insert(L, 2);
    return this.vm.getTop(L) - 1;
  }
}
