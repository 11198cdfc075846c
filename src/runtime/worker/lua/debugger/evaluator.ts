// Evaluates Lua in a stopped frame: expressions and statements see the frame's locals,
// upvalues and globals; assignments to locals and upvalues are written back to the frame.
import { AR, LuaRaise, LuaVm, LUA_MASKCOUNT, LUA_OK, LUA_TNIL, LUA_TTABLE, LUA_MULTRET, type LuaState } from '../lua-vm.js';
import { loadFrame, type FrameRef } from './frames.js';

const encoder = new TextEncoder();

/** Builds the environment of an evaluation (compiled once per VM). */
const ENV_BUILDER = `
local setmetatable = setmetatable
return function(names, values, upnames, upvalues, genv)
  local changed = {}
  local env = setmetatable({}, {
    __index = function(_, k)
      if names[k] then return values[k] end
      if upnames[k] then return upvalues[k] end
      return genv[k]
    end,
    __newindex = function(_, k, v)
      if names[k] then values[k] = v; changed[k] = 1
      elseif upnames[k] then upvalues[k] = v; changed[k] = 2
      else genv[k] = v end
    end,
  })
  return env, changed
end`;

export interface LocalSlot { name: string; index: number }

export class Evaluator {
  private builderRef = 0;

  constructor(private readonly vm: LuaVm) {}

  private builder(L: LuaState): void {
    const { vm } = this;
    if (!this.builderRef) {
      if (vm.load(L, encoder.encode(ENV_BUILDER), '=(debugger)') !== LUA_OK) throw new Error(vm.toStr(L, -1) ?? 'env builder');
      vm.callK(L, 0, 1);
      this.builderRef = vm.ref(L);
    }
    vm.getRef(L, this.builderRef);
  }

  /** The frame's visible locals (the last of equal names wins, as in Lua scoping). */
  locals(frame: FrameRef): LocalSlot[] {
    const { vm } = this;
    if (!loadFrame(vm, frame)) return [];
    const byName = new Map<string, LocalSlot>();
    for (let i = 1; ; i++) {
      const name = vm.getLocal(frame.thread, vm.ar2Ptr, i);
      if (name === null) break;
      vm.pop(frame.thread, 1);
      if (name.startsWith('(')) continue; // temporaries such as "(for state)"
      byName.delete(name);
      byName.set(name, { name, index: i });
    }
    return [...byName.values()];
  }

  varargCount(frame: FrameRef): number {
    const { vm } = this;
    if (!loadFrame(vm, frame)) return 0;
    let n = 0;
    while (vm.getLocal(frame.thread, vm.ar2Ptr, -(n + 1)) !== null) { vm.pop(frame.thread, 1); n++; }
    return n;
  }

  /** Pushes (onto L) the function running in frame. */
  pushFrameFunction(L: LuaState, frame: FrameRef): void {
    const { vm } = this;
    loadFrame(vm, frame);
    vm.getInfo(frame.thread, 'f', vm.ar2Ptr);
    if (frame.thread !== L) vm.xmove(frame.thread, L, 1);
  }

  /** Upvalue names of the frame's function, in order (index = position + 1). */
  upvalueNames(L: LuaState, frame: FrameRef): string[] {
    const { vm } = this;
    this.pushFrameFunction(L, frame);
    const names: string[] = [];
    for (let i = 1; ; i++) {
      const n = vm.getUpvalue(L, -1, i);
      if (n === null) break;
      vm.pop(L, 1);
      names.push(n === '' ? `(upvalue ${i})` : n);
    }
    vm.pop(L, 1);
    return names;
  }

  /** Pushes local #index of frame onto L. */
  pushLocal(L: LuaState, frame: FrameRef, index: number): void {
    const { vm } = this;
    loadFrame(vm, frame);
    vm.getLocal(frame.thread, vm.ar2Ptr, index);
    if (frame.thread !== L) vm.xmove(frame.thread, L, 1);
  }

  private frameAr = 0;

  /**
   * Pushes each visible local in turn onto L and calls `each(name)` (which must pop it), in one
   * walk: lua_getlocal looks a local's name up from the start of the function's list, so a
   * second walk for the values doubled the cost of a frame with many locals. A name declared
   * again in the same frame comes twice; the later one is the visible one.
   */
  forEachNamedLocal(L: LuaState, frame: FrameRef, each: (name: string) => void): void {
    const { vm } = this;
    if (!this.frameAr) this.frameAr = vm.raw._malloc(128);
    if (!loadFrame(vm, frame, this.frameAr)) return;
    for (let i = 1; ; i++) {
      const name = vm.getLocal(frame.thread, this.frameAr, i);
      if (name === null) break;
      if (name.startsWith('(')) { vm.pop(frame.thread, 1); continue; } // temporaries such as "(for state)"
      if (frame.thread !== L) vm.xmove(frame.thread, L, 1);
      each(name);
    }
  }

  /** Sets local #index of frame from the value on top of L (popped). */
  setLocal(L: LuaState, frame: FrameRef, index: number): void {
    const { vm } = this;
    if (frame.thread !== L) vm.xmove(L, frame.thread, 1);
    loadFrame(vm, frame);
    if (vm.setLocal(frame.thread, vm.ar2Ptr, index) === null) vm.pop(frame.thread, 1);
  }

  /**
   * Compiles `code` for the frame (as `return <code>` first when allowed, else as statements)
   * and runs it. Pushes the results on L and returns how many, or throws with Lua's message.
   */
  run(L: LuaState, code: string, frame: FrameRef | null, allowStatements: boolean, extra?: { name: string; push: () => void }[]): number {
    const { vm } = this;
    const base = vm.getTop(L);
    let status = vm.load(L, encoder.encode(`return ${code}`), '=(eval)', 't');
    if (status !== LUA_OK) {
      const asExpression = vm.toStr(L, -1) ?? 'syntax error';
      vm.pop(L, 1);
      status = vm.load(L, encoder.encode(code), '=(eval)', 't');
      if (status === LUA_OK && !allowStatements) {
        vm.setTop(L, base);
        throw new LuaRaise(`'${code.trim()}' is a statement, not an expression: watches and hovers take expressions; run statements in the REPL`);
      }
      if (status !== LUA_OK) {
        // Report the error of the form the user most likely meant.
        const msg = allowStatements ? vm.toStr(L, -1) ?? 'syntax error' : asExpression;
        vm.setTop(L, base);
        throw new LuaRaise(msg.replace(/^\(eval\):\d+: /, ''));
      }
    }
    const fnIdx = vm.getTop(L);
    // Environment: names → values tables for locals and upvalues, then the globals.
    vm.newTable(L); const names = vm.getTop(L);
    vm.newTable(L); const values = vm.getTop(L);
    vm.newTable(L); const upnames = vm.getTop(L);
    vm.newTable(L); const upvalues = vm.getTop(L);
    const localSlots = frame ? this.locals(frame) : [];
    for (const slot of localSlots) {
      vm.pushBoolean(L, true); vm.setField(L, names, slot.name);
      this.pushLocal(L, frame!, slot.index); vm.setField(L, values, slot.name);
    }
    for (const e of extra ?? []) {
      vm.pushBoolean(L, true); vm.setField(L, names, e.name);
      e.push(); vm.setField(L, values, e.name);
    }
    let upNames: string[] = [];
    if (frame) {
      upNames = this.upvalueNames(L, frame);
      this.pushFrameFunction(L, frame);
      const fn = vm.getTop(L);
      upNames.forEach((n, i) => {
        if (n === '_ENV') return;
        vm.pushBoolean(L, true); vm.setField(L, upnames, n);
        vm.getUpvalue(L, fn, i + 1); vm.setField(L, upvalues, n);
      });
      vm.pop(L, 1);
    }
    this.builder(L);
    for (const idx of [names, values, upnames, upvalues]) vm.pushValue(L, idx);
    this.pushGlobalsOf(L, frame);
    vm.callK(L, 5, 2); // env, changed
    const changedIdx = vm.getTop(L);
    const envIdx = changedIdx - 1;
    vm.pushValue(L, envIdx);
    if (vm.setUpvalue(L, fnIdx, 1) === null) vm.pop(L, 1);
    vm.pushValue(L, fnIdx);
    // The frame's varargs are the chunk's `...`.
    const nargs = frame ? this.varargCount(frame) : 0;
    if (!vm.checkStack(L, nargs + 20)) throw new LuaRaise('too many varargs to evaluate with');
    for (let i = 1; i <= nargs; i++) this.pushLocal(L, frame!, -i);
    vm.callK(L, nargs, LUA_MULTRET);
    const nres = vm.getTop(L) - changedIdx;
    // Write assignments back to the frame.
    if (frame) {
      vm.pushNil(L);
      while (vm.next(L, changedIdx)) {
        const kind = vm.toNumber(L, -1);
        const name = vm.toStr(L, -2)!;
        vm.pop(L, 1);
        if (kind === 1) {
          const slot = localSlots.find((s) => s.name === name);
          if (slot) { vm.getField(L, values, name); this.setLocal(L, frame, slot.index); }
        } else {
          const i = upNames.indexOf(name);
          if (i >= 0) {
            this.pushFrameFunction(L, frame);
            vm.getField(L, upvalues, name);
            if (vm.setUpvalue(L, -2, i + 1) === null) vm.pop(L, 1);
            vm.pop(L, 1);
          }
        }
      }
    }
    // Move the results down to just above base.
    for (let i = 0; i < nres; i++) vm.copy(L, changedIdx + 1 + i, base + 1 + i);
    vm.setTop(L, base + nres);
    return nres;
  }

  /** Pushes the globals the frame's function sees (its _ENV), or the global table. */
  pushGlobalsOf(L: LuaState, frame: FrameRef | null): void {
    const { vm } = this;
    if (frame) {
      this.pushFrameFunction(L, frame);
      for (let i = 1; ; i++) {
        const n = vm.getUpvalue(L, -1, i);
        if (n === null) break;
        if (n === '_ENV' && vm.type(L, -1) === LUA_TTABLE) { vm.remove(L, -2); return; }
        vm.pop(L, 1);
      }
      vm.pop(L, 1);
    }
    vm.rawGetI(L, -1001000, 2n);
  }

  /** Runs a protected evaluation: the results (pushed) count, or the error message. */
  protectedRun(L: LuaState, code: string, frame: FrameRef | null, allowStatements: boolean, extra?: { name: string; push: () => void }[], limitMs = EVALUATION_LIMIT_MS): { n: number } | { error: string } {
    const { vm } = this;
    const base = vm.getTop(L);
    try {
      return { n: this.withTimeLimit(L, limitMs, () => this.withProtection(L, () => this.run(L, code, frame, allowStatements, extra))) };
    } catch (e) {
      vm.setTop(L, base);
      return { error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * Runs fn with a watchdog on L: code typed at a stop (`while true do end`) would otherwise
   * block the runtime for good, since a stopped script cannot be paused. A count hook looks at
   * the clock every WATCHDOG_INSTRUCTIONS instructions and raises an error past the limit (also
   * in coroutines the code starts: they take L's hook). L's own hook is put back after.
   */
  private withTimeLimit(L: LuaState, limitMs: number, fn: () => number): number {
    const { vm } = this;
    const hook = vm.getHook(L);
    const mask = vm.getHookMask(L);
    const count = vm.getHookCount(L);
    this.deadline = Date.now() + limitMs;
    this.limitMs = limitMs;
    if (!this.watchdogPtr) {
      this.watchdogPtr = vm.raw.addFunction(((T: LuaState) => {
        if (Date.now() <= this.deadline) return;
        vm.pushString(T, `evaluation stopped after ${this.limitMs / 1000} s (it did not finish; a script stopped in the debugger cannot be paused)`);
        vm.error(T);
      }) as never, 'vii');
    }
    vm.setHook(L, this.watchdogPtr, LUA_MASKCOUNT, WATCHDOG_INSTRUCTIONS);
    // At a stop the evaluation runs inside the line hook, where Lua fires no hook at all.
    const allowed = this.allowHook(L, true);
    try {
      return fn();
    } finally {
      this.allowHook(L, allowed);
      vm.setHook(L, hook, mask, count);
    }
  }
  /** Sets lua_State's allowhook (see LuaLayout.setAllowHook); returns what it was. Given by the debugger. */
  allowHook: (L: LuaState, on: boolean) => boolean = () => true;
  private watchdogPtr = 0;
  private deadline = 0;
  private limitMs = 0;

  /** Evaluates an expression in the frame and leaves exactly one value (the first) on top of L. */
  evaluateOne(L: LuaState, code: string, frame: FrameRef | null): void {
    const { vm } = this;
    const base = vm.getTop(L);
    const r = this.protectedRun(L, code, frame, false);
    if ('error' in r) throw new Error(r.error);
    if (r.n === 0) vm.pushNil(L);
    else vm.setTop(L, base + 1);
  }

  /**
   * Runs fn so that a Lua error inside it (a longjmp) comes back as a JS Error instead of
   * unwinding the caller's frames: the work is done inside a pcall'd C function.
   */
  withProtection(L: LuaState, fn: () => number): number {
    const { vm } = this;
    let result = 0;
    const base = vm.getTop(L);
    if (!this.trampolinePtr) {
      this.trampolinePtr = vm.registerFunction((L1) => {
        // Lua errors (longjmps) and LuaRaise pass through to the pcall below.
        result = this.pendingFn!();
        return result;
      });
    }
    const saved = this.pendingFn;
    this.pendingFn = fn;
    (vm.raw as unknown as { _lua_pushcclosure(L: number, f: number, n: number): void })._lua_pushcclosure(L, this.trampolinePtr, 0);
    const status = vm.pcall(L, 0, LUA_MULTRET, 0);
    this.pendingFn = saved;
    if (status !== LUA_OK) {
      const msg = vm.type(L, -1) === LUA_TNIL ? 'error' : vm.toDisplayString(L, -1);
      vm.setTop(L, base);
      throw new Error(msg.replace(/^\(eval\):\d+: /, ''));
    }
    return vm.getTop(L) - base;
  }
  private trampolinePtr = 0;
  private pendingFn: (() => number) | null = null;
}

export { AR };

/**
 * How long an evaluation may run before it is stopped with an error: 10 s, or
 * LLMSPELL_EVAL_TIMEOUT_MS from the environment (a whole number of milliseconds).
 */
export const EVALUATION_LIMIT_MS = ((): number => {
  const n = Number(process.env.LLMSPELL_EVAL_TIMEOUT_MS);
  return Number.isInteger(n) && n > 0 ? n : 10_000;
})();
/** Instructions between two looks at the clock (a few hundred microseconds of Lua). */
const WATCHDOG_INSTRUCTIONS = 100_000;
