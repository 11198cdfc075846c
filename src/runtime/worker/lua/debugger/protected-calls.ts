// pcall, xpcall and the coroutine functions, replaced by versions that behave the same for
// scripts (same results, same error values, yieldable) but let the debugger see every error
// at the point where it is raised, before the stack unwinds (decision 10), and know which
// thread is running and who resumed it.
import {
  LuaVm, LUA_OK, LUA_YIELD, LUA_MULTRET, LUA_TFUNCTION, LUA_TSTRING, LUA_TTHREAD, LuaRaise, upvalueIndex, type LuaState,
} from '../lua-vm.js';

export type ResumeMode = 'root' | 'resume' | 'wrap';

/** What the debugger is told by the wrappers. */
export interface ErrorObserver {
  /**
   * An error was raised on thread L (a message handler is running there, so the raising frame
   * is intact), or a coroutine ended with an error (its stack is intact). `caught` says whether
   * the script will handle it.
   */
  onError(L: LuaState, errorThread: LuaState, caught: boolean, inHandler: boolean): void;
  /** A coroutine is about to run (mode says how) or has just stopped running. */
  onResume(co: LuaState, from: LuaState): void;
  onSuspend(co: LuaState, from: LuaState): void;
}

export class ProtectedCalls {
  /** Running threads, innermost last, with how each was resumed. */
  readonly chain: { L: LuaState; mode: ResumeMode }[] = [];
  private readonly pcallDepth = new Map<LuaState, number>();
  /** Set when an error was already reported where it was raised, before it travels on. */
  private reported = false;
  private pcallMsghPtr = 0;
  private xpcallMsghPtr = 0;
  private pcallKPtr = 0;
  private resumeRef = 0;
  private createRef = 0;
  observer: ErrorObserver | null = null;

  constructor(private readonly vm: LuaVm) {
    this.chain.push({ L: vm.L, mode: 'root' });
  }

  get running(): LuaState { return this.chain[this.chain.length - 1].L; }

  /** Whether an error raised now on the running thread would be caught by the script. */
  isProtected(index = this.chain.length - 1): boolean {
    const entry = this.chain[index];
    if ((this.pcallDepth.get(entry.L) ?? 0) > 0) return true;
    if (entry.mode === 'resume') return true;
    if (entry.mode === 'wrap') return this.isProtected(index - 1);
    return false;
  }

  /** For the top-level handler: true once (the error was reported where it was raised). */
  takeReported(): boolean {
    const r = this.reported;
    this.reported = false;
    return r;
  }

  install(): void {
    const { vm } = this;
    const L = vm.L;
    const raw = vm.raw as unknown as { addFunction(f: unknown, sig: string): number };
    this.pcallMsghPtr = vm.registerFunction((L1) => this.handler(L1, false));
    this.xpcallMsghPtr = vm.registerFunction((L1) => this.handler(L1, true));
    this.pcallKPtr = raw.addFunction((L1: LuaState, status: number) => this.finishPcall(L1, status), 'iiii');

    vm.pushFunction(L, (L1) => this.pcall(L1));
    vm.setGlobal(L, 'pcall');
    vm.pushFunction(L, (L1) => this.xpcall(L1));
    vm.setGlobal(L, 'xpcall');

    vm.getGlobal(L, 'coroutine');
    vm.getField(L, -1, 'resume');
    this.resumeRef = vm.ref(L);
    vm.getField(L, -1, 'create');
    this.createRef = vm.ref(L);
    vm.pushFunction(L, (L1) => this.resume(L1));
    vm.setField(L, -2, 'resume');
    const wrapIter = vm.registerFunction((L1) => this.wrapCall(L1));
    vm.pushFunction(L, (L1) => {
      vm.getRef(L1, this.createRef);
      vm.pushValue(L1, 1);
      vm.callK(L1, 1, 1);
      vm.raw._lua_pushcclosure(L1, wrapIter, 1);
      return 1;
    });
    vm.setField(L, -2, 'wrap');
    vm.pop(L, 1);
  }

  // pcall(f, ...): [true, msgh, f, args...] then lua_pcallk with a continuation, so a yield
  // inside the protected function works as with the stock pcall.
  private pcall(L: LuaState): number {
    const { vm } = this;
    if (vm.getTop(L) < 1) throw new LuaRaise("bad argument #1 to 'pcall' (value expected)");
    vm.pushBoolean(L, true);
    vm.insert(L, 1);
    vm.raw._lua_pushcclosure(L, this.pcallMsghPtr, 0);
    vm.insert(L, 2);
    return this.protectedCall(L, vm.getTop(L) - 3);
  }

  private xpcall(L: LuaState): number {
    const { vm } = this;
    const n = vm.getTop(L);
    if (vm.type(L, 2) !== LUA_TFUNCTION) throw new LuaRaise("bad argument #2 to 'xpcall' (function expected)");
    // [true, msgh(handler), f, args...]
    vm.pushBoolean(L, true);
    vm.pushValue(L, 2);
    vm.raw._lua_pushcclosure(L, this.xpcallMsghPtr, 1);
    vm.pushValue(L, 1);
    for (let i = 3; i <= n; i++) vm.pushValue(L, i);
    for (let i = 0; i < n; i++) vm.remove(L, 1);
    return this.protectedCall(L, Math.max(0, n - 2));
  }

  private protectedCall(L: LuaState, nargs: number): number {
    const { vm } = this;
    this.pcallDepth.set(L, (this.pcallDepth.get(L) ?? 0) + 1);
    const status = vm.raw
      ._lua_pcallk(L, nargs, LUA_MULTRET, 2, 0, this.pcallKPtr);
    return this.finishPcall(L, status);
  }

  private finishPcall(L: LuaState, status: number): number {
    const { vm } = this;
    this.pcallDepth.set(L, (this.pcallDepth.get(L) ?? 1) - 1);
    this.reported = false;
    if (status !== LUA_OK && status !== LUA_YIELD) {
      // [true, msgh, err] → false, err
      vm.pushBoolean(L, false);
      vm.pushValue(L, -2);
      return 2;
    }
    vm.remove(L, 2);
    return vm.getTop(L);
  }

  /** Message handler of pcall/xpcall: runs where the error was raised. */
  private handler(L: LuaState, withUserHandler: boolean): number {
    const { vm } = this;
    if (this.observer && !this.reported) this.observer.onError(L, L, true, true);
    this.reported = false;
    if (!withUserHandler) return 1;
    vm.pushValue(L, upvalueIndex(1));
    vm.insert(L, 1);
    vm.callK(L, vm.getTop(L) - 1, 1);
    return 1;
  }

  /** coroutine.resume(co, ...) */
  private resume(L: LuaState): number {
    const { vm } = this;
    if (vm.type(L, 1) !== LUA_TTHREAD) throw new LuaRaise(`bad argument #1 to 'resume' (coroutine expected)`);
    const co = vm.toThread(L, 1);
    return this.runResume(L, co, 'resume', () => {
      vm.getRef(L, this.resumeRef);
      vm.insert(L, 1);
      vm.callK(L, vm.getTop(L) - 1, LUA_MULTRET);
      return vm.getTop(L);
    });
  }

  private runResume(L: LuaState, co: LuaState, mode: ResumeMode, body: () => number): number {
    this.chain.push({ L: co, mode });
    this.observer?.onResume(co, L);
    let n: number;
    try {
      n = body();
    } finally {
      this.chain.pop();
    }
    const { vm } = this;
    // The stock resume returns false, message when the coroutine failed: its stack is intact.
    if (mode === 'resume' && n >= 2 && !vm.toBoolean(L, 1) && vm.status(co) !== LUA_OK && vm.status(co) !== LUA_YIELD) {
      this.reportCoroutineError(L, co, true);
    }
    this.observer?.onSuspend(co, L);
    return n;
  }

  private reportCoroutineError(L: LuaState, co: LuaState, caught: boolean): void {
    if (!this.observer) return;
    this.chain.push({ L: co, mode: caught ? 'resume' : 'wrap' });
    try {
      this.observer.onError(L, co, caught, false);
    } finally {
      this.chain.pop();
    }
  }

  /** The function coroutine.wrap returns: resume, and raise the coroutine's error here. */
  private wrapCall(L: LuaState): number {
    const { vm } = this;
    const co = vm.toThread(L, upvalueIndex(1));
    const nargs = vm.getTop(L);
    const raw = vm.raw;
    if (!vm.checkStack(co, nargs + 1)) throw new LuaRaise('too many arguments to resume');
    const coStatus = vm.status(co);
    if (coStatus === LUA_OK && vm.getTop(co) === 0) throw new LuaRaise('cannot resume dead coroutine');
    vm.xmove(L, co, nargs);
    let status = 0;
    let nres = 0;
    this.runResume(L, co, 'wrap', () => {
      status = raw._lua_resume(co, L, nargs, vm.lenPtr);
      nres = vm.raw.HEAP32[vm.lenPtr >> 2];
      return 0;
    });
    if (status === LUA_OK || status === LUA_YIELD) {
      if (!vm.checkStack(L, nres + 1)) throw new LuaRaise('too many results to resume');
      vm.xmove(co, L, nres);
      return nres;
    }
    // Report with the coroutine's stack intact, then raise in the caller as the stock wrap does.
    const caught = this.isProtected();
    this.reportCoroutineError(L, co, caught);
    if (this.observer) this.reported = true;
    vm.xmove(co, L, 1);
    if (vm.type(L, -1) === LUA_TSTRING) {
      vm.raw._luaL_where(L, 1);
      vm.insert(L, -2);
      vm.raw._lua_concat(L, 2);
    }
    return vm.error(L);
  }
}

export { LUA_OK };
