// V8's code cache for the runtime worker's bundle. A worker thread starts with nothing compiled:
// V8 parsed and compiled the bundle (390 KB with wasmoon) afresh in every runtime, and each
// function the start-up calls as it was first called: 10-15 ms of the worker's start
// (docs/performance.md, "Start-up"). `npm run build` starts a runtime, takes it through a debug
// session and saves what V8 compiled (scripts/bundle.mjs); each worker then starts from that.
// Node 20 has no compile cache of its own for modules (module.enableCompileCache came in 22).
// CommonJS, because the worker's loader (worker-loader.cts) is: it runs before any ES module loads.
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';

/**
 * What became of the cache. V8 rejects one made by another Node version or with other V8
 * flags; we reject one whose checksums do not hold (below). 'off': not used, on purpose
 * (worker-loader.cts: with --enable-source-maps).
 */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'missing' | 'off';

export type ModuleBody = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

export interface CompiledModule {
  body: ModuleBody;
  cache: CodeCacheStatus;
  /** Writes what V8 has compiled of it so far, including the functions called since it loaded. */
  saveCache(): void;
}

// The cache file: CRC-32 of the source, CRC-32 of V8's data, then the data. V8 checks only the
// source's length and, in release builds, not its data's integrity: a stale cache for a source
// of the same length, or a damaged file, would run wrong code or bring the process down.
const HEADER_BYTES = 8;
// zlib.crc32 came in Node 20.15; without it no cache is used.
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Compiles `file` as the body of a CommonJS module, from `cacheFile` when it belongs to it and V8 accepts it. */
export function compileWithCache(file: string, cacheFile: string): CompiledModule {
  const bytes = fs.readFileSync(file);
  // One line, as Node's own wrapper, so that line numbers in stack traces stay the file's.
  const source = `(function (exports, require, module, __filename, __dirname) { ${bytes.toString('utf8')}\n})`;
  const { data, status } = readCache(cacheFile, bytes);
  const script = new vm.Script(source, { filename: file, cachedData: data });
  return {
    body: script.runInThisContext() as ModuleBody,
    cache: data === undefined ? status : script.cachedDataRejected ? 'rejected' : 'accepted',
    saveCache: () => {
      if (!crc32) throw new Error('this Node has no zlib.crc32 (Node 20.15 or later): the cache could not be checked');
      const data = script.createCachedData();
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt32LE(crc32(bytes), 0);
      header.writeUInt32LE(crc32(data), 4);
      fs.writeFileSync(cacheFile, Buffer.concat([header, data]));
    },
  };
}

function readCache(cacheFile: string, sourceBytes: Uint8Array): { data?: Buffer; status: CodeCacheStatus } {
  let file: Buffer;
  try {
    file = fs.readFileSync(cacheFile);
  } catch {
    return { status: 'missing' }; // a build without the cache still runs, compiling as Node would
  }
  if (!crc32 || file.length <= HEADER_BYTES) return { status: 'rejected' };
  const data = file.subarray(HEADER_BYTES);
  if (file.readUInt32LE(0) !== crc32(sourceBytes) || file.readUInt32LE(4) !== crc32(data)) return { status: 'rejected' };
  return { data, status: 'accepted' };
}
