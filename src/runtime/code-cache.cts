// V8's code cache for the runtime worker's bundle. A worker thread starts with nothing compiled:
// V8 parsed and compiled the bundle (390 KB with wasmoon) afresh in every runtime, and each
// function the start-up calls as it was first called: 10-15 ms of the worker's start
// (docs/performance.md, "Start-up"). `npm run build` starts a runtime, takes it through a debug session and saves
// what V8 compiled (scripts/bundle.mjs); each worker then starts from that. Node 20 has no
// compile cache of its own for modules (module.enableCompileCache came in Node 22).
// CommonJS, because the worker's loader (worker-loader.cts) is: it runs before any ES module loads.
import * as fs from 'node:fs';
import * as vm from 'node:vm';

/** What became of the cache: V8 rejects one made by another Node version or with other V8 flags. */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'missing';

export type ModuleBody = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

export interface CompiledModule {
  body: ModuleBody;
  cache: CodeCacheStatus;
  /** Writes what V8 has compiled of it so far, including the functions called since it loaded. */
  saveCache(): void;
}

/** Compiles `file` as the body of a CommonJS module, from `cacheFile` when V8 accepts it. */
export function compileWithCache(file: string, cacheFile: string): CompiledModule {
  // One line, as Node's own wrapper, so that line numbers in stack traces stay the file's.
  const source = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(file, 'utf8')}\n})`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // a build without the cache still runs, compiling as Node would
  }
  const script = new vm.Script(source, { filename: file, cachedData });
  return {
    body: script.runInThisContext() as ModuleBody,
    cache: cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted',
    saveCache: () => fs.writeFileSync(cacheFile, script.createCachedData()),
  };
}
