// The part of Lua's C API that wasmoon's WebAssembly module exports and we call, typed as it
// crosses into JavaScript: pointers and C ints are numbers, lua_Integer and size_t results
// are bigints (wasm i64). Calling these directly costs about 4 ns; a generic wrapper that looks
// a function up by name and spreads its arguments cost 30 ns, which the variables view paid
// some ten times per variable.
type L = number;
type Ptr = number;

export interface LuaApi {
  _lua_gettop(L: L): number;
  _lua_settop(L: L, idx: number): void;
  _lua_pushvalue(L: L, idx: number): void;
  _lua_absindex(L: L, idx: number): number;
  _lua_rotate(L: L, idx: number, n: number): void;
  _lua_copy(L: L, from: number, to: number): void;
  _lua_checkstack(L: L, n: number): number;
  _lua_xmove(from: L, to: L, n: number): void;

  _lua_type(L: L, idx: number): number;
  _lua_typename(L: L, type: number): Ptr;
  _lua_isinteger(L: L, idx: number): number;
  _lua_iscfunction(L: L, idx: number): number;
  _lua_tonumberx(L: L, idx: number, isnum: Ptr): number;
  _lua_tointegerx(L: L, idx: number, isnum: Ptr): bigint;
  _lua_toboolean(L: L, idx: number): number;
  _lua_topointer(L: L, idx: number): Ptr;
  _lua_tothread(L: L, idx: number): L;
  _lua_touserdata(L: L, idx: number): Ptr;
  _lua_rawlen(L: L, idx: number): bigint;
  _lua_tolstring(L: L, idx: number, len: Ptr): Ptr;
  _luaL_tolstring(L: L, idx: number, len: Ptr): Ptr;
  _lua_stringtonumber(L: L, s: Ptr): number;

  _lua_pushnil(L: L): void;
  _lua_pushboolean(L: L, b: number): void;
  _lua_pushnumber(L: L, n: number): void;
  _lua_pushinteger(L: L, n: bigint): void;
  _lua_pushlstring(L: L, s: Ptr, len: number): Ptr;
  _lua_pushlightuserdata(L: L, p: Ptr): void;
  _lua_pushthread(L: L): number;
  _lua_pushcclosure(L: L, fn: Ptr, nup: number): void;
  _lua_concat(L: L, n: number): void;
  _lua_error(L: L): never;

  _lua_createtable(L: L, narr: number, nrec: number): void;
  _lua_getfield(L: L, idx: number, k: Ptr): number;
  _lua_setfield(L: L, idx: number, k: Ptr): void;
  _lua_getglobal(L: L, name: Ptr): number;
  _lua_setglobal(L: L, name: Ptr): void;
  _lua_rawget(L: L, idx: number): number;
  _lua_rawset(L: L, idx: number): void;
  _lua_rawgeti(L: L, idx: number, n: bigint): number;
  _lua_rawseti(L: L, idx: number, n: bigint): void;
  _lua_gettable(L: L, idx: number): number;
  _lua_settable(L: L, idx: number): void;
  _lua_next(L: L, idx: number): number;
  _lua_getmetatable(L: L, idx: number): number;
  _lua_setmetatable(L: L, idx: number): number;
  _luaL_getmetafield(L: L, idx: number, e: Ptr): number;
  _lua_newuserdatauv(L: L, size: number, nuvalue: number): Ptr;
  _luaL_ref(L: L, t: number): number;
  _luaL_unref(L: L, t: number, ref: number): void;

  _luaL_loadbufferx(L: L, buf: Ptr, size: number, name: Ptr, mode: Ptr): number;
  _lua_pcallk(L: L, nargs: number, nresults: number, msgh: number, ctx: number, k: Ptr): number;
  _lua_callk(L: L, nargs: number, nresults: number, ctx: number, k: Ptr): void;
  _lua_resume(L: L, from: L, nargs: number, nresults: Ptr): number;
  _lua_yieldk(L: L, nresults: number, ctx: number, k: Ptr): number;
  _lua_isyieldable(L: L): number;
  _lua_resetthread(L: L): number;
  _lua_status(L: L): number;
  _luaL_traceback(L: L, L1: L, msg: Ptr, level: number): void;
  _luaL_where(L: L, level: number): void;
  _luaL_argerror(L: L, arg: number, extramsg: Ptr): never;
  _luaL_typeerror(L: L, arg: number, tname: Ptr): never;
  _luaL_checkinteger(L: L, arg: number): bigint;
  _luaL_checklstring(L: L, arg: number, len: Ptr): Ptr;
  _luaL_testudata(L: L, arg: number, tname: Ptr): Ptr;
  _luaL_openlibs(L: L): void;
  _lua_setwarnf(L: L, fn: Ptr, ud: Ptr): void;

  _lua_getstack(L: L, level: number, ar: Ptr): number;
  _lua_getinfo(L: L, what: Ptr, ar: Ptr): number;
  _lua_getlocal(L: L, ar: Ptr, n: number): Ptr;
  _lua_setlocal(L: L, ar: Ptr, n: number): Ptr;
  _lua_getupvalue(L: L, funcindex: number, n: number): Ptr;
  _lua_setupvalue(L: L, funcindex: number, n: number): Ptr;
  _lua_sethook(L: L, fn: Ptr, mask: number, count: number): void;
  _lua_gethook(L: L): Ptr;
  _lua_gethookmask(L: L): number;
  _lua_gethookcount(L: L): number;
}
