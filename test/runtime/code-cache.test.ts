// The runtime worker starts from V8's code cache of its bundle (src/runtime/code-cache.cts),
// which `npm run build` makes after a training run (scripts/bundle.mjs). These tests pin that a
// real runtime uses it, and that a missing or foreign cache only costs time: the code still runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileWithCache } from '../../src/runtime/code-cache.cjs';
import { ScriptRuntime } from '../../src/runtime/index.js';

const require = createRequire(import.meta.url);

const bundle = fileURLToPath(new URL('../../src/runtime/worker-bundle/worker.cjs', import.meta.url));
const loader = new URL('../../src/runtime/worker-loader.cjs', import.meta.url);

test('a runtime, with or without the debugger, starts from the code cache the build made', async (t) => {
  // Source maps on (NODE_OPTIONS=--enable-source-maps) turn the cache off: see the test below.
  const expected = process.sourceMapsEnabled ? 'off' : 'accepted';
  for (const debug of [true, false]) {
    const rt = new ScriptRuntime({ debugger: debug });
    t.after(() => rt.stop());
    await rt.start();
    assert.equal(rt.codeCache, expected, `debugger: ${debug}`);
    assert.deepEqual(await rt.runChunk('return 6 * 7', '=check', true), { status: 'ok', values: ['42'] });
  }
});

test('the worker bundle is strict code, as the ES modules it is made of', () => {
  // A banner in front of esbuild's "use strict" once made it sloppy (scripts/bundle.mjs).
  assert.match(fs.readFileSync(bundle, 'utf8'), /^"use strict";/);
});

test('with --enable-source-maps the worker runs its bundle as Node loads it, so stack traces map to the sources', (t) => {
  // A worker started without its workerData fails at once, in worker-main.ts.
  const script = `
    import { Worker } from 'node:worker_threads';
    const { ScriptRuntime } = await import(${JSON.stringify(new URL('../../src/runtime/index.js', import.meta.url).href)});
    const rt = new ScriptRuntime({ debugger: true });
    await rt.start();
    const outcome = await rt.runChunk('return 1 + 1', '=check', true);
    const failed = await new Promise((resolve) => new Worker(new URL(${JSON.stringify(loader.href)})).on('error', resolve));
    console.log(JSON.stringify({ cache: rt.codeCache, outcome, mapped: /worker-main\\.ts:\\d+/.test(failed.stack) }));
    await rt.stop();`;
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, 'start.mjs'), script);
  const r = spawnSync(process.execPath, ['--enable-source-maps', path.join(dir, 'start.mjs')], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { cache: 'off', outcome: { status: 'ok', values: ['2'] }, mapped: true });
});

/** A temporary directory, removed after the test. */
function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-code-cache-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A module file with a cache file beside it; load() compiles it through compileWithCache and runs it. */
function cachedModule(t: { after(fn: () => void): void }, name: string) {
  const dir = tempDir(t);
  const file = path.join(dir, name);
  const cacheFile = `${file}.v8-cache`;
  const load = (): { cache: string; exports: Record<string, unknown>; saveCache(): void } => {
    const compiled = compileWithCache(file, cacheFile);
    const mod = { exports: {} as Record<string, unknown> };
    compiled.body(mod.exports, require, mod, file, dir);
    return { cache: compiled.cache, exports: mod.exports, saveCache: compiled.saveCache };
  };
  return { dir, file, cacheFile, load };
}

test('compileWithCache: no cache compiles as Node would; a saved one is accepted; one for other source is rejected', (t) => {
  const { file, cacheFile, load } = cachedModule(t, 'body.cjs');
  const run = (): { cache: string; exports: unknown } => {
    const { cache, exports, saveCache } = load();
    if (cache === 'missing') saveCache();
    return { cache, exports };
  };
  fs.writeFileSync(file, 'function twice(x) { return 2 * x; }\nmodule.exports = { value: twice(21), file: __filename };\n');
  assert.deepEqual(run(), { cache: 'missing', exports: { value: 42, file } });
  assert.ok(fs.statSync(cacheFile).size > 0, 'the cache was written');
  assert.deepEqual(run(), { cache: 'accepted', exports: { value: 42, file } });
  fs.writeFileSync(file, 'module.exports = { value: "changed" };\n');
  assert.deepEqual(run(), { cache: 'rejected', exports: { value: 'changed' } });
});

test('compileWithCache refuses a cache that does not belong to the source or is damaged; V8 alone would not', (t) => {
  const { file, cacheFile, load } = cachedModule(t, 'body.cjs');
  const value = (): { cache: string; value: unknown } => {
    const { cache, exports } = load();
    return { cache, value: exports.value };
  };
  const source = (n: number): string => `function f() { return ${n}; }\nmodule.exports = { value: f() };\n`;
  fs.writeFileSync(file, source(1));
  compileWithCache(file, cacheFile).saveCache();
  const saved = fs.readFileSync(cacheFile);
  assert.deepEqual(value(), { cache: 'accepted', value: 1 });
  // The same length: V8 checks only the length, and would run the old function's code.
  fs.writeFileSync(file, source(2));
  assert.deepEqual(value(), { cache: 'rejected', value: 2 });
  fs.writeFileSync(file, source(1));
  const damaged = Buffer.from(saved);
  damaged[damaged.length - 5]! ^= 0xff;
  fs.writeFileSync(cacheFile, damaged);
  assert.deepEqual(value(), { cache: 'rejected', value: 1 });
  fs.writeFileSync(cacheFile, saved.subarray(0, 6));
  assert.deepEqual(value(), { cache: 'rejected', value: 1 });
});

test('compileWithCache keeps line numbers: an error thrown by the module names its own line', (t) => {
  const { file, load } = cachedModule(t, 'throws.cjs');
  fs.writeFileSync(file, '// line 1\n// line 2\nthrow new Error("from line 3");\n');
  assert.throws(load, (e: Error) => e.stack!.includes(`${file}:3:`));
});
