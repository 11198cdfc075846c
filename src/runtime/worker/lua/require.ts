// `require` on the real file system: package.path is searched with real files and modules are
// loaded with their absolute path as chunk name, so breakpoints in modules bind like any file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IoLibrary } from './io-library.js';
import { stripShebang } from './io-library.js';
import { LuaRaise, LuaVm, LUA_TNIL, LUA_TSTRING, type LuaState } from './lua-vm.js';

/**
 * The default path of Debian's lua5.4 (LUA_PATH_DEFAULT of luaconf.h plus /usr/share/lua/5.4),
 * used without LUA_PATH and in place of ";;" in it: modules installed for the system's Lua load.
 */
const DEFAULT_PATH = [
  '/usr/local/share/lua/5.4/?.lua', '/usr/local/share/lua/5.4/?/init.lua',
  '/usr/local/lib/lua/5.4/?.lua', '/usr/local/lib/lua/5.4/?/init.lua',
  '/usr/share/lua/5.4/?.lua', '/usr/share/lua/5.4/?/init.lua',
  './?.lua', './?/init.lua',
].join(';');

/** package.path as the standalone lua sets it (setpath in loadlib.c), after the script's own directory. */
export function packagePath(scriptDir: string, env: Record<string, string>): string {
  const own = `${scriptDir}/?.lua;${scriptDir}/?/init.lua`;
  return `${own};${pathFromEnv(env.LUA_PATH_5_4 ?? env.LUA_PATH)}`;
}

/** LUA_PATH with its first ";;" replaced by the default path; the default when unset. */
function pathFromEnv(fromEnv: string | undefined): string {
  if (fromEnv === undefined) return DEFAULT_PATH;
  const mark = fromEnv.indexOf(';;');
  if (mark < 0) return fromEnv;
  let out = '';
  if (mark > 0) out += `${fromEnv.slice(0, mark)};`;
  out += DEFAULT_PATH;
  if (mark < fromEnv.length - 2) out += `;${fromEnv.slice(mark + 2)}`;
  return out;
}

/** Each candidate file of `name` on `searchPath`, in order. */
function candidates(name: string, searchPath: string, sep: string, rep: string): string[] {
  const n = sep ? name.split(sep).join(rep) : name;
  return searchPath.split(';').filter((t) => t.length > 0).map((t) => t.split('?').join(n));
}

function findFile(name: string, searchPath: string, resolve: (p: string) => string, sep = '.', rep = '/'): { file?: string; tried: string[] } {
  const tried: string[] = [];
  for (const c of candidates(name, searchPath, sep, rep)) {
    // As `readable` in loadlib.c: the first candidate that opens for reading is the one.
    try {
      fs.closeSync(fs.openSync(resolve(c), 'r'));
      return { file: c, tried };
    } catch {
      // not there or not readable: try the next template
    }
    tried.push(c);
  }
  return { tried };
}

export function installRequire(vm: LuaVm, io: IoLibrary, resolve: (p: string) => string, searchPath: string): void {
  const L = vm.L;
  vm.getGlobal(L, 'package');
  vm.pushString(L, searchPath);
  vm.setField(L, -2, 'path');

  // Arguments checked as ll_searchpath does (luaL_checkstring, luaL_optstring), so errors read
  // "bad argument #2 to 'package.searchpath' (string expected, got no value)".
  const raw = vm.raw as unknown as { _luaL_checklstring(L: number, a: number, len: number): number };
  const checkString = (L1: LuaState, idx: number): string => {
    raw._luaL_checklstring(L1, idx, 0);
    return vm.toStr(L1, idx)!;
  };
  const optString = (L1: LuaState, idx: number, def: string): string => (vm.type(L1, idx) <= LUA_TNIL ? def : checkString(L1, idx));
  vm.pushFunction(L, (L1: LuaState) => {
    // Last argument first, as Debian's lua5.4 (gcc evaluates the C call's arguments so).
    const rep = optString(L1, 4, '/');
    const sep = optString(L1, 3, '.');
    const p = checkString(L1, 2);
    const name = checkString(L1, 1);
    const r = findFile(name, p, resolve, sep, rep);
    if (r.file) { vm.pushString(L1, r.file); return 1; }
    vm.pushNil(L1);
    vm.pushString(L1, r.tried.map((t) => `no file '${t}'`).join('\n\t'));
    return 2;
  });
  vm.setField(L, -2, 'searchpath');

  // The Lua-file searcher (package.searchers[2]).
  vm.getField(L, -1, 'searchers');
  vm.pushFunction(L, (L1: LuaState) => {
    const name = vm.toStr(L1, 1) ?? '';
    vm.getGlobal(L1, 'package');
    if (vm.getField(L1, -1, 'path') !== LUA_TSTRING) throw new LuaRaise("'package.path' must be a string");
    const p = vm.toStr(L1, -1)!;
    vm.pop(L1, 2);
    const r = findFile(name, p, resolve);
    if (!r.file) {
      vm.pushString(L1, r.tried.map((t) => `no file '${t}'`).join('\n\t'));
      return 1;
    }
    const abs = path.resolve(resolve(r.file));
    const src = io.readSource(abs);
    if (typeof src === 'string') throw new LuaRaise(`error loading module '${name}' from file '${r.file}':\n\t${src}`);
    if (vm.load(L1, stripShebang(src), `@${abs}`) !== 0) {
      const msg = vm.toStr(L1, -1);
      throw new LuaRaise(`error loading module '${name}' from file '${r.file}':\n\t${msg}`);
    }
    vm.pushString(L1, abs);
    return 2;
  });
  vm.rawSetI(L, -2, 2);
  vm.pop(L, 2);
}
