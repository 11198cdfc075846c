// `require` on the real file system: package.path is searched with real files and modules are
// loaded with their absolute path as chunk name, so breakpoints in modules bind like any file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IoLibrary } from './io-library.js';
import { stripShebang } from './io-library.js';
import { LuaRaise, LuaVm, LUA_TNIL, LUA_TSTRING, type LuaState } from './lua-vm.js';

/** Lua's default path, used where LUA_PATH has ";;". */
const DEFAULT_PATH = './?.lua;./?/init.lua';

export function packagePath(scriptDir: string, env: Record<string, string>): string {
  const own = `${scriptDir}/?.lua;${scriptDir}/?/init.lua`;
  const fromEnv = env.LUA_PATH_5_4 ?? env.LUA_PATH;
  if (fromEnv === undefined) return `${own};${DEFAULT_PATH}`;
  return `${own};${fromEnv.replace(';;', `;${DEFAULT_PATH};`)}`;
}

/** Each candidate file of `name` on `searchPath`, in order. */
function candidates(name: string, searchPath: string, sep: string, rep: string): string[] {
  const n = sep ? name.split(sep).join(rep) : name;
  return searchPath.split(';').filter((t) => t.length > 0).map((t) => t.split('?').join(n));
}

function findFile(name: string, searchPath: string, resolve: (p: string) => string, sep = '.', rep = '/'): { file?: string; tried: string[] } {
  const tried: string[] = [];
  for (const c of candidates(name, searchPath, sep, rep)) {
    try {
      if (fs.statSync(resolve(c)).isFile()) return { file: c, tried };
    } catch {
      // not there: try the next template
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

  vm.pushFunction(L, (L1: LuaState) => {
    const name = vm.toStr(L1, 1);
    const p = vm.toStr(L1, 2);
    if (name === null || p === null) throw new LuaRaise("bad argument to 'searchpath' (string expected)");
    const sep = vm.type(L1, 3) > LUA_TNIL ? vm.toStr(L1, 3) ?? '.' : '.';
    const rep = vm.type(L1, 4) > LUA_TNIL ? vm.toStr(L1, 4) ?? '/' : '/';
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
