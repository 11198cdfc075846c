// Entry point of every runtime worker thread (ScriptRuntime starts it): runs the worker's bundle
// (dist/src/runtime/worker-bundle, made by scripts/bundle.mjs from src/runtime/worker) through
// the code cache the build saved for it (code-cache.cts), which spares the thread compiling it.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { compileWithCache, type CodeCacheStatus } from './code-cache.cjs';

/** What the bundle finds on globalThis: worker-main.ts reports the status and saves the cache on request. */
export interface WorkerCodeCache {
  status: CodeCacheStatus;
  save(): void;
}

const file = path.join(__dirname, 'worker-bundle', 'worker.cjs');
const setCodeCache = (codeCache: WorkerCodeCache): void => {
  (globalThis as { __llmspellCodeCache?: WorkerCodeCache }).__llmspellCodeCache = codeCache;
};

if (process.sourceMapsEnabled) {
  // Node maps stack traces through the bundle's source map only for code it loaded itself.
  setCodeCache({ status: 'off', save: () => { throw new Error('the code cache is off while source maps are enabled'); } });
  require(file);
} else {
  const compiled = compileWithCache(file, `${file}.v8-cache`);
  setCodeCache({ status: compiled.cache, save: compiled.saveCache });
  const bundleModule = { exports: {} };
  compiled.body(bundleModule.exports, createRequire(file), bundleModule, file, path.dirname(file));
}
