// A thin, typed layer over the raw Lua C API that wasmoon exports. Only code under
// src/runtime/worker touches it. It works on bytes (Lua strings are byte strings) and keeps
// hot paths free of per-call allocations: callers reuse the scratch pointers below.
import { createRequire } from 'node:module';
import wasmoon, { type LuaWasm } from 'wasmoon';
import type { LuaApi } from './lua-api.js';

// wasmoon is a CommonJS (UMD) bundle of 150 KB. The worker's bundle (scripts/bundle.mjs)
// includes it, so it comes from the bundle's code cache with the rest. Unbundled (tests that
// build a VM directly), Node first scans its text for named exports: about 25 ms more, once.
const { LuaWasm: LuaWasmClass } = wasmoon;
/** Its WebAssembly, found from here: the bundle is not where wasmoon would look by default. */
const GLUE_WASM = createRequire(import.meta.url).resolve('wasmoon/dist/glue.wasm');

export type LuaState = number;
export type LuaCFunction = (L: LuaState) => number;

export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_ERRRUN = 2;
export const LUA_ERRSYNTAX = 3;
export const LUA_ERRMEM = 4;
export const LUA_ERRERR = 5;

export const LUA_TNONE = -1;
export const LUA_TNIL = 0;
export const LUA_TBOOLEAN = 1;
export const LUA_TLIGHTUSERDATA = 2;
export const LUA_TNUMBER = 3;
export const LUA_TSTRING = 4;
export const LUA_TTABLE = 5;
export const LUA_TFUNCTION = 6;
export const LUA_TUSERDATA = 7;
export const LUA_TTHREAD = 8;

export const LUA_MULTRET = -1;
const LUAI_MAXSTACK = 1_000_000;
export const LUA_REGISTRYINDEX = -LUAI_MAXSTACK - 1000;
export const LUA_RIDX_MAINTHREAD = 1n;
export const LUA_RIDX_GLOBALS = 2n;
export const upvalueIndex = (i: number): number => LUA_REGISTRYINDEX - i;

export const LUA_HOOKCALL = 0;
export const LUA_HOOKRET = 1;
export const LUA_HOOKLINE = 2;
export const LUA_HOOKCOUNT = 3;
export const LUA_HOOKTAILCALL = 4;
export const LUA_MASKCALL = 1 << LUA_HOOKCALL;
export const LUA_MASKRET = 1 << LUA_HOOKRET;
export const LUA_MASKLINE = 1 << LUA_HOOKLINE;
export const LUA_MASKCOUNT = 1 << LUA_HOOKCOUNT;

/** Offsets into `lua_Debug` for wasm32 (Lua 5.4, LUA_IDSIZE 60). */
export const AR = {
  event: 0,
  name: 4,
  namewhat: 8,
  what: 12,
  source: 16,
  srclen: 20,
  currentline: 24,
  linedefined: 28,
  lastlinedefined: 32,
  nups: 36,
  nparams: 37,
  isvararg: 38,
  istailcall: 39,
  size: 128,
} as const;

/** The raw exports we use; named as in lua.h with wasmoon's leading underscore. */
export interface RawLua extends LuaApi {
  HEAPU8: Uint8Array;
  HEAP8: Int8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(fn: (...a: never[]) => unknown, sig: string): number;
  removeFunction(p: number): void;
}

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

export class LuaVm {
  readonly raw: RawLua;
  readonly L: LuaState;
  /** Scratch cells reused by getters (size_t out-params, lua_Debug records). */
  readonly lenPtr: number;
  readonly arPtr: number;
  readonly ar2Ptr: number;
  private readonly cstrCache = new Map<string, number>();

  private constructor(readonly wasm: LuaWasm) {
    this.raw = wasm.module as unknown as RawLua;
    this.L = wasm.luaL_newstate();
    this.lenPtr = this.raw._malloc(8);
    this.arPtr = this.raw._malloc(AR.size);
    this.ar2Ptr = this.raw._malloc(AR.size);
  }

  static async create(env: Record<string, string>): Promise<LuaVm> {
    // wasmoon's module wraps every export in a checking function called through apply; the
    // hooks call the VM millions of times, so we keep the instance's own exports and use those.
    type Instance = { exports: Record<string, unknown> };
    type Instantiate = (...a: unknown[]) => Promise<{ instance: Instance } | Instance>;
    const wa = (globalThis as unknown as { WebAssembly: { instantiate: Instantiate } }).WebAssembly;
    const instantiate = wa.instantiate;
    let exports: Record<string, unknown> | null = null;
    wa.instantiate = async (...args: unknown[]) => {
      const result = await instantiate(...args);
      exports = 'instance' in result ? result.instance.exports : result.exports;
      return result;
    };
    let wasm: LuaWasm;
    try {
      wasm = await LuaWasmClass.initialize(GLUE_WASM, env);
    } finally {
      wa.instantiate = instantiate;
    }
    if (exports) {
      const module = wasm.module as unknown as Record<string, unknown>;
      const direct: Record<string, unknown> = exports;
      for (const key of Object.keys(module)) {
        if (key.startsWith('_lua') && typeof direct[key.slice(1)] === 'function') module[key] = direct[key.slice(1)];
      }
    }
    return new LuaVm(wasm);
  }

  /** A NUL-terminated copy of `s` in wasm memory, kept for the VM's lifetime (for names reused often). */
  cstr(s: string): number {
    let p = this.cstrCache.get(s);
    if (p === undefined) {
      const bytes = encoder.encode(s);
      p = this.raw._malloc(bytes.length + 1);
      this.raw.HEAPU8.set(bytes, p);
      this.raw.HEAPU8[p + bytes.length] = 0;
      this.cstrCache.set(s, p);
    }
    return p;
  }

  /** Runs `fn` with a temporary NUL-terminated copy of `bytes` in wasm memory. */
  withBytes<T>(bytes: Uint8Array, fn: (ptr: number, len: number) => T): T {
    const p = this.raw._malloc(bytes.length + 1);
    try {
      this.raw.HEAPU8.set(bytes, p);
      this.raw.HEAPU8[p + bytes.length] = 0;
      return fn(p, bytes.length);
    } finally {
      this.raw._free(p);
    }
  }

  readCString(p: number): string {
    if (!p) return '';
    const heap = this.raw.HEAPU8;
    let end = p;
    while (heap[end] !== 0) end++;
    return decoder.decode(heap.subarray(p, end));
  }

  // ---- stack ----
  getTop(L = this.L): number { return this.raw._lua_gettop(L); }
  setTop(L: LuaState, idx: number): void { this.raw._lua_settop(L, idx); }
  pop(L: LuaState, n: number): void { this.raw._lua_settop(L, -n - 1); }
  pushValue(L: LuaState, idx: number): void { this.raw._lua_pushvalue(L, idx); }
  absIndex(L: LuaState, idx: number): number { return this.raw._lua_absindex(L, idx); }
  rotate(L: LuaState, idx: number, n: number): void { this.raw._lua_rotate(L, idx, n); }
  remove(L: LuaState, idx: number): void { this.rotate(L, idx, -1); this.pop(L, 1); }
  insert(L: LuaState, idx: number): void { this.rotate(L, idx, 1); }
  copy(L: LuaState, from: number, to: number): void { this.raw._lua_copy(L, from, to); }
  /** Moves the top value into idx, popping it. */
  replace(L: LuaState, idx: number): void { this.raw._lua_copy(L, -1, idx); this.pop(L, 1); }
  checkStack(L: LuaState, n: number): boolean { return this.raw._lua_checkstack(L, n) !== 0; }
  xmove(from: LuaState, to: LuaState, n: number): void { this.raw._lua_xmove(from, to, n); }

  // ---- types and reads ----
  type(L: LuaState, idx: number): number { return this.raw._lua_type(L, idx); }
  typeName(L: LuaState, idx: number): string {
    return this.readCString(this.raw._lua_typename(L, this.type(L, idx)));
  }
  isInteger(L: LuaState, idx: number): boolean { return this.raw._lua_isinteger(L, idx) !== 0; }
  /** True for a Lua (not C) function. */
  isLuaFunction(L: LuaState, idx: number): boolean { return this.type(L, idx) === LUA_TFUNCTION && !this.isCFunction(L, idx); }
  isCFunction(L: LuaState, idx: number): boolean { return this.raw._lua_iscfunction(L, idx) !== 0; }
  toNumber(L: LuaState, idx: number): number { return this.raw._lua_tonumberx(L, idx, 0); }
  toInteger(L: LuaState, idx: number): bigint { return this.raw._lua_tointegerx(L, idx, 0); }
  toBoolean(L: LuaState, idx: number): boolean { return this.raw._lua_toboolean(L, idx) !== 0; }
  toPointer(L: LuaState, idx: number): number { return this.raw._lua_topointer(L, idx); }
  toThread(L: LuaState, idx: number): LuaState { return this.raw._lua_tothread(L, idx); }
  toUserdata(L: LuaState, idx: number): number { return this.raw._lua_touserdata(L, idx); }
  rawLen(L: LuaState, idx: number): number { return Number(this.raw._lua_rawlen(L, idx)); }

  /** The bytes of the string (or number, converted in place) at idx; null for other types. */
  toBytes(L: LuaState, idx: number): Uint8Array | null {
    const p: number = this.raw._lua_tolstring(L, idx, this.lenPtr);
    if (!p) return null;
    const len = this.raw.HEAPU32[this.lenPtr >> 2];
    return this.raw.HEAPU8.slice(p, p + len);
  }
  toStr(L: LuaState, idx: number): string | null {
    const p: number = this.raw._lua_tolstring(L, idx, this.lenPtr);
    if (!p) return null;
    const len = this.raw.HEAPU32[this.lenPtr >> 2];
    return decoder.decode(this.raw.HEAPU8.subarray(p, p + len));
  }
  /** `tostring(v)` as Lua's own print does it (honours __tostring and __name); pushes nothing. */
  toDisplayBytes(L: LuaState, idx: number): Uint8Array {
    const p: number = this.raw._luaL_tolstring(L, idx, this.lenPtr);
    const len = this.raw.HEAPU32[this.lenPtr >> 2];
    const out = this.raw.HEAPU8.slice(p, p + len);
    this.pop(L, 1);
    return out;
  }
  toDisplayString(L: LuaState, idx: number): string { return decoder.decode(this.toDisplayBytes(L, idx)); }

  // ---- pushes ----
  pushNil(L: LuaState): void { this.raw._lua_pushnil(L); }
  pushBoolean(L: LuaState, b: boolean): void { this.raw._lua_pushboolean(L, b ? 1 : 0); }
  pushNumber(L: LuaState, n: number): void { this.raw._lua_pushnumber(L, n); }
  pushInteger(L: LuaState, n: bigint | number): void { this.raw._lua_pushinteger(L, BigInt(n)); }
  pushBytes(L: LuaState, bytes: Uint8Array): void {
    this.withBytes(bytes, (p, len) => this.raw._lua_pushlstring(L, p, len));
  }
  pushString(L: LuaState, s: string): void { this.pushBytes(L, encoder.encode(s)); }
  pushLightUserdata(L: LuaState, p: number): void { this.raw._lua_pushlightuserdata(L, p); }
  /** Pushes thread L onto its own stack (move it elsewhere with xmove). */
  pushThread(L: LuaState): boolean { return this.raw._lua_pushthread(L) === 1; }

  /**
   * Pushes a C function implemented in JS. A JS exception escaping `fn` would unwind through
   * the VM without Lua's own bookkeeping, so errors are turned into Lua errors here;
   * only VmUnwind (exit, terminate) is allowed through.
   */
  pushFunction(L: LuaState, fn: LuaCFunction, nup = 0): void {
    const ptr = this.registerFunction(fn);
    this.raw._lua_pushcclosure(L, ptr, nup);
  }
  registerFunction(fn: LuaCFunction): number {
    const guarded = (L: LuaState): number => {
      try {
        return fn(L);
      } catch (e) {
        if (e instanceof LuaRaise) {
          this.pushString(L, e.message);
          return this.raw._lua_error(L);
        }
        if (e instanceof VmUnwind || !(e instanceof Error)) throw e; // longjmp markers are not Errors
        this.pushString(L, `internal error: ${e.message}`);
        return this.raw._lua_error(L);
      }
    };
    return this.raw.addFunction(guarded as never, 'ii');
  }

  // ---- tables ----
  newTable(L: LuaState, narr = 0, nrec = 0): void { this.raw._lua_createtable(L, narr, nrec); }
  getField(L: LuaState, idx: number, k: string): number { return this.raw._lua_getfield(L, idx, this.cstr(k)); }
  setField(L: LuaState, idx: number, k: string): void { this.raw._lua_setfield(L, idx, this.cstr(k)); }
  getGlobal(L: LuaState, k: string): number { return this.raw._lua_getglobal(L, this.cstr(k)); }
  setGlobal(L: LuaState, k: string): void { this.raw._lua_setglobal(L, this.cstr(k)); }
  rawGet(L: LuaState, idx: number): number { return this.raw._lua_rawget(L, idx); }
  rawSet(L: LuaState, idx: number): void { this.raw._lua_rawset(L, idx); }
  rawGetI(L: LuaState, idx: number, n: number | bigint): number { return this.raw._lua_rawgeti(L, idx, BigInt(n)); }
  rawSetI(L: LuaState, idx: number, n: number | bigint): void { this.raw._lua_rawseti(L, idx, BigInt(n)); }
  getTable(L: LuaState, idx: number): number { return this.raw._lua_gettable(L, idx); }
  setTable(L: LuaState, idx: number): void { this.raw._lua_settable(L, idx); }
  next(L: LuaState, idx: number): boolean { return this.raw._lua_next(L, idx) !== 0; }
  getMetatable(L: LuaState, idx: number): boolean { return this.raw._lua_getmetatable(L, idx) !== 0; }
  setMetatable(L: LuaState, idx: number): void { this.raw._lua_setmetatable(L, idx); }
  /** Pushes obj's metatable field `e` and returns true, or pushes nothing and returns false. */
  getMetaField(L: LuaState, idx: number, e: string): boolean { return this.raw._luaL_getmetafield(L, idx, this.cstr(e)) !== 0; }
  newUserdata(L: LuaState, size: number): number { return this.raw._lua_newuserdatauv(L, size, 0); }
  ref(L: LuaState): number { return this.raw._luaL_ref(L, LUA_REGISTRYINDEX); }
  unref(L: LuaState, ref: number): void { this.raw._luaL_unref(L, LUA_REGISTRYINDEX, ref); }
  getRef(L: LuaState, ref: number): number { return this.rawGetI(L, LUA_REGISTRYINDEX, ref); }

  // ---- calls and loading ----
  /** Loads `bytes` as a chunk named `chunkName` ("@/abs/path" or "=name"); pushes the function or the error. */
  load(L: LuaState, bytes: Uint8Array, chunkName: string, mode: 't' | 'b' | 'bt' = 'bt'): number {
    const status: number = this.withBytes(bytes, (p, len) => this.raw._luaL_loadbufferx(L, p, len, this.cstr(chunkName), this.cstr(mode)));
    if (status === LUA_OK && this.onChunkLoaded) this.onChunkLoaded(L, chunkName, bytes);
    return status;
  }
  /** Told of every chunk loaded successfully, with the new function on top of L's stack. */
  onChunkLoaded: ((L: LuaState, chunkName: string, source: Uint8Array) => void) | null = null;
  pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number {
    return this.raw._lua_pcallk(L, nargs, nresults, msgh, 0, 0);
  }
  callK(L: LuaState, nargs: number, nresults: number): void { this.raw._lua_callk(L, nargs, nresults, 0, 0); }
  /** Pushes a traceback of L1 (as luaL_traceback does), starting at `level`. */
  traceback(L: LuaState, L1: LuaState, msg: string | null, level: number): void {
    this.raw._luaL_traceback(L, L1, msg === null ? 0 : this.cstr(msg), level);
  }
  /** Raises the value on top of the stack as a Lua error; never returns. */
  error(L: LuaState): never { return this.raw._lua_error(L); }

  // ---- debug API ----
  getStack(L: LuaState, level: number, ar: number): boolean { return this.raw._lua_getstack(L, level, ar) !== 0; }
  getInfo(L: LuaState, what: string, ar: number): boolean { return this.raw._lua_getinfo(L, this.cstr(what), ar) !== 0; }
  getLocal(L: LuaState, ar: number, n: number): string | null {
    const p: number = this.raw._lua_getlocal(L, ar, n);
    return p ? this.readCString(p) : null;
  }
  setLocal(L: LuaState, ar: number, n: number): string | null {
    const p: number = this.raw._lua_setlocal(L, ar, n);
    return p ? this.readCString(p) : null;
  }
  getUpvalue(L: LuaState, funcIdx: number, n: number): string | null {
    const p: number = this.raw._lua_getupvalue(L, funcIdx, n);
    return p ? this.readCString(p) : null;
  }
  setUpvalue(L: LuaState, funcIdx: number, n: number): string | null {
    const p: number = this.raw._lua_setupvalue(L, funcIdx, n);
    return p ? this.readCString(p) : null;
  }
  setHook(L: LuaState, fnPtr: number, mask: number, count: number): void { this.raw._lua_sethook(L, fnPtr, mask, count); }
  getHookMask(L: LuaState): number { return this.raw._lua_gethookmask(L); }
  getHook(L: LuaState): number { return this.raw._lua_gethook(L); }
  getHookCount(L: LuaState): number { return this.raw._lua_gethookcount(L); }
  status(L: LuaState): number { return this.raw._lua_status(L); }

  arInt(ar: number, off: number): number { return this.raw.HEAP32[(ar + off) >> 2]; }
  arByte(ar: number, off: number): number { return this.raw.HEAPU8[ar + off]; }
  arString(ar: number, off: number): string | null {
    const p = this.raw.HEAPU32[(ar + off) >> 2];
    return p ? this.readCString(p) : null;
  }

  openLibs(): void { this.raw._luaL_openlibs(this.L); }
}

/** Raised from a JS-implemented Lua function to become a Lua error with this message. */
export class LuaRaise extends Error {}

/**
 * Unwinds the whole VM (os.exit, terminate). Not an Error subclass on purpose: the
 * function guard and emscripten's setjmp emulation both let it through.
 */
export class VmUnwind {
  constructor(readonly reason: 'exit' | 'terminate', readonly code = 0) {}
}
