// Direct reads of Lua 5.4's internal structures in wasm memory, for the hooks' hot paths:
// identifying the running function's prototype costs a few memory reads instead of a
// lua_getinfo call (which costs ~180 ns and would make every call hook expensive).
// The offsets are for wasm32 builds of Lua 5.4 and are checked against lua_getinfo at start
// (see verifyLayout); when the check fails the debugger uses lua_getinfo instead.
import { AR, LuaVm, type LuaState } from '../lua-vm.js';

/** lua_Debug's private `i_ci` (the CallInfo) follows short_src[LUA_IDSIZE = 60]. */
const AR_I_CI = 104;
const CI_FUNC = 0;
const CI_PREVIOUS = 8;
/** CallInfo's u.l.savedpc (a Lua frame's next instruction), after func, top, previous, next. */
const CI_SAVEDPC = 16;
const PROTO_CODE = 52;
/** TValue: 8-byte value then the type tag. */
const TV_TT = 8;
/** Tag of a Lua closure value (LUA_VLCL with the collectable bit). */
const TAG_LUA_CLOSURE = 0x46;
const LCL_PROTO = 12;
const PROTO_SIZELINEINFO = 24;
const PROTO_SIZEP = 28;
const PROTO_SIZEABSLINEINFO = 36;
const PROTO_LINEDEFINED = 40;
const PROTO_LASTLINEDEFINED = 44;
const PROTO_P = 56;
const PROTO_LINEINFO = 64;
const PROTO_ABSLINEINFO = 68;
const PROTO_IS_VARARG = 7;
/** lineinfo entries that say "see abslineinfo". */
const ABSLINEINFO = -0x80;

export interface ProtoLines {
  proto: number;
  lineDefined: number;
  lastLineDefined: number;
  /** Lines that hold instructions, as lua_getinfo 'L' reports them. */
  lines: number[];
  children: number[];
}

/** lua_State's allowhook (after CommonHeader's next, tt, marked and status). */
const STATE_ALLOWHOOK = 7;

export class LuaLayout {
  /** False when the self-check failed: callers must use lua_getinfo. */
  trusted = false;
  /** Whether allowHook's offset was confirmed (verifyAllowHook). */
  allowHookKnown = false;

  /**
   * Lua clears lua_State's allowhook while a hook runs, so no hook fires inside one; an
   * evaluation at a stop (which runs inside the line hook) sets it for its duration so its
   * watchdog can fire. Only once verifyAllowHook confirmed the offset.
   */
  setAllowHook(L: LuaState, on: boolean): boolean {
    if (!this.allowHookKnown) return false;
    const was = this.vm.raw.HEAPU8[L + STATE_ALLOWHOOK] !== 0;
    this.vm.raw.HEAPU8[L + STATE_ALLOWHOOK] = on ? 1 : 0;
    return was;
  }

  /** Confirms allowhook's offset: 1 outside a hook, 0 inside one. */
  verifyAllowHook(): boolean {
    const { vm } = this;
    const L = vm.L;
    const top = vm.getTop(L);
    let inside = -1;
    const hook = vm.raw.addFunction(((T: number) => { inside = vm.raw.HEAPU8[T + STATE_ALLOWHOOK]; vm.setHook(T, 0, 0, 0); }) as never, 'vii');
    try {
      const outside = vm.raw.HEAPU8[L + STATE_ALLOWHOOK];
      if (vm.load(L, new TextEncoder().encode('local x = 1 return x'), '=allowhook-check') !== 0) return false;
      vm.setHook(L, hook, 8 /* LUA_MASKCOUNT */, 1);
      const status = vm.pcall(L, 0, 0, 0);
      vm.setHook(L, 0, 0, 0);
      this.allowHookKnown = status === 0 && outside === 1 && inside === 0 && vm.raw.HEAPU8[L + STATE_ALLOWHOOK] === 1;
      return this.allowHookKnown;
    } finally {
      vm.raw.removeFunction(hook);
      vm.setTop(L, top);
    }
  }

  constructor(private readonly vm: LuaVm) {}

  /** The CallInfo a hook's lua_Debug refers to. */
  ciOfAr(ar: number): number {
    return this.vm.raw.HEAP32[(ar + AR_I_CI) >> 2];
  }

  /** The prototype of the Lua function running in `ci`, or 0 for C functions. */
  protoOfCi(ci: number): number {
    if (!ci) return 0;
    const heap32 = this.vm.raw.HEAP32;
    const func = heap32[(ci + CI_FUNC) >> 2];
    if (this.vm.raw.HEAPU8[func + TV_TT] !== TAG_LUA_CLOSURE) return 0;
    const closure = heap32[func >> 2];
    return heap32[(closure + LCL_PROTO) >> 2];
  }

  /**
   * The index of the instruction a Lua frame runs: in a hook (Lua saves the pc past it first)
   * or in a C function it called (the pc past the call), savedpc - code - 1.
   */
  currentPcOfCi(ci: number, proto: number): number {
    const heap32 = this.vm.raw.HEAP32;
    return ((heap32[(ci + CI_SAVEDPC) >> 2] - heap32[(proto + PROTO_CODE) >> 2]) >> 2) - 1;
  }

    previousCi(ci: number): number {
    return this.vm.raw.HEAP32[(ci + CI_PREVIOUS) >> 2];
  }

  /** Number of frames below and including ci (as lua_getstack counts levels). */
  depthOfCi(ci: number): number {
    let d = 0;
    for (let c = ci; c; c = this.previousCi(c)) d++;
    return d - 1; // base_ci is not a level
  }

  /** Reads a prototype's line information (same walk as luaG_getfuncline). */
  protoLines(proto: number): ProtoLines {
    const heap32 = this.vm.raw.HEAP32;
    const heap8 = new Int8Array(this.vm.raw.HEAPU8.buffer);
    const lineDefined = heap32[(proto + PROTO_LINEDEFINED) >> 2];
    const lastLineDefined = heap32[(proto + PROTO_LASTLINEDEFINED) >> 2];
    const sizeLineInfo = heap32[(proto + PROTO_SIZELINEINFO) >> 2];
    const lineInfo = heap32[(proto + PROTO_LINEINFO) >> 2];
    const sizeAbs = heap32[(proto + PROTO_SIZEABSLINEINFO) >> 2];
    const absInfo = heap32[(proto + PROTO_ABSLINEINFO) >> 2];
    const isVararg = this.vm.raw.HEAPU8[proto + PROTO_IS_VARARG] !== 0;
    const abs = new Map<number, number>();
    for (let i = 0; i < sizeAbs; i++) abs.set(heap32[(absInfo + i * 8) >> 2], heap32[(absInfo + i * 8 + 4) >> 2]);
    const lines = new Set<number>();
    let line = lineDefined;
    for (let pc = 0; pc < sizeLineInfo; pc++) {
      const delta = heap8[lineInfo + pc];
      line = delta === ABSLINEINFO ? abs.get(pc) ?? line : line + delta;
      // A vararg function's first instruction (VARARGPREP) is not a line users can stop on.
      if (!(isVararg && pc === 0)) lines.add(line);
    }
    const sizeP = heap32[(proto + PROTO_SIZEP) >> 2];
    const pArray = heap32[(proto + PROTO_P) >> 2];
    const children: number[] = [];
    for (let i = 0; i < sizeP; i++) children.push(heap32[(pArray >> 2) + i]);
    return { proto, lineDefined, lastLineDefined, lines: [...lines].sort((a, b) => a - b), children };
  }

  /** The prototype of the Lua function at stack index idx, or 0. */
  protoOfValue(L: LuaState, idx: number): number {
    if (!this.vm.isLuaFunction(L, idx)) return 0;
    const closure = this.vm.toPointer(L, idx);
    return this.vm.raw.HEAP32[(closure + LCL_PROTO) >> 2];
  }

  /**
   * Checks the offsets on a real function: its prototype's line range and lines must match what
   * lua_getinfo says, and a hook's CallInfo must lead to the same prototype.
   */
  verify(): boolean {
    const { vm } = this;
    const L = vm.L;
    const top = vm.getTop(L);
    try {
      const code = 'local a = 1\nlocal function f(...)\n  local x = 1\n\n  return x + select("#", ...)\nend\nreturn f';
      if (vm.load(L, new TextEncoder().encode(code), '=layout-check') !== 0) return false;
      vm.callK(L, 0, 1);
      const proto = this.protoOfValue(L, -1);
      if (!proto) return false;
      const mine = this.protoLines(proto);
      vm.pushValue(L, -1);
      vm.getInfo(L, '>SL', vm.arPtr);
      const line = vm.arInt(vm.arPtr, AR.linedefined);
      const last = vm.arInt(vm.arPtr, AR.lastlinedefined);
      const theirs: number[] = [];
      vm.pushNil(L);
      while (vm.next(L, -2)) { theirs.push(Number(vm.toInteger(L, -2))); vm.pop(L, 1); }
      theirs.sort((a, b) => a - b);
      this.trusted = line === mine.lineDefined && last === mine.lastLineDefined && theirs.join(',') === mine.lines.join(',') && line === 2;
      return this.trusted;
    } catch {
      return false;
    } finally {
      vm.setTop(L, top);
    }
  }
}
