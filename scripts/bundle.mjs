// Bundles what tsc compiled (dist/src) for start-up time (docs/performance.md, "Start-up").
// Node's ES module loader pays for every file it resolves and loads, and `llmspell dap`'s first
// stop waits on both of these paths:
// - the runtime worker (src/runtime/worker, with wasmoon) is one CommonJS file, which the
//   worker's loader (src/runtime/worker-loader.cts) runs from the V8 code cache made here: the
//   thread neither resolves some thirty modules nor parses 390 KB. The debugger's modules are in
//   it but are only evaluated by runtimes that debug (esbuild turns their dynamic import into a
//   lazy initialiser).
// - the command line (bin/llmspell.js) loads a few chunks instead of some sixty modules: the
//   `initialize` response comes 15-20 ms sooner. Each command's layers stay chunks loaded on
//   demand, as the dynamic imports in src/cli/commands ask; packages stay in node_modules.
// Both are built from the modules tsc wrote to dist/src. Every ScriptRuntime, the tests' too,
// runs the worker's bundle; the CLI's bundle runs wherever bin/llmspell.js does, and the tests
// that import layers directly use the unbundled modules.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};
// Both bundles sit one folder below dist/src, so the paths their modules find from
// import.meta.url hold in both (src/runtime/script-runtime.ts).
const worker = 'dist/src/runtime/worker-bundle/worker.cjs';
const cliBundle = 'dist/src/cli-bundle';
// Chunk names carry content hashes: clear out the last build's.
for (const dir of ['dist/src/runtime/worker-bundle', cliBundle]) rmSync(`${root}${dir}`, { recursive: true, force: true });

await Promise.all([
  build({
    ...common,
    entryPoints: ['dist/src/runtime/worker/worker-main.js'],
    outfile: worker,
    format: 'cjs',
    // wasmoon goes in too, to come from the code cache with the rest; as CommonJS, its one
    // dynamic import (of node:module) must become a require.
    packages: undefined,
    supported: { 'dynamic-import': false },
    // Modules that ask for import.meta.url (lua-vm.ts, io-library.ts: to require) get the
    // bundle's. The banner comes before esbuild's own "use strict", so it says it again: the
    // bundled modules are ES modules, strict, and must stay so.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: '"use strict";\nconst __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
  build({ ...common, entryPoints: ['dist/src/cli/prestart.js', 'dist/src/cli/main.js'], outdir: cliBundle, splitting: true, format: 'esm' }),
]);
await trainCodeCache();

/**
 * Starts a runtime on the bundle just built, takes it through what `llmspell dap` does first
 * (start-up, a stop on entry, a stack, variables, a breakpoint) and saves V8's code cache of
 * the bundle (src/runtime/code-cache.cts), so each runtime starts with those functions compiled.
 * A debugger that no longer stops where this expects fails the build, with a reason, in
 * seconds: it must never hang it.
 */
async function trainCodeCache() {
  const { ExecutionManager } = await import('../dist/src/debug/index.js');
  const program = `${root}scripts/code-cache-training.lua`;
  const em = new ExecutionManager();
  const fail = (why) => new Error(`the code cache's training run (scripts/bundle.mjs) failed: ${why}`);
  const within = (promise, what) => {
    let timer;
    const late = new Promise((_, reject) => { timer = setTimeout(() => reject(fail(`no ${what} within 30 s`)), 30_000); });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  try {
    const runtime = await within(em.start({ cwd: root, debug: true, stopOnEntry: true }), 'runtime');
    // runFile, not runProgram: the runtime stays when the script ends (a launch's would not).
    let stopped = new Promise((resolve) => em.once('stopped', resolve));
    const done = em.runFile(program);
    const ended = done.then((outcome) => { throw fail(`the script ended before it stopped: ${JSON.stringify(outcome)}`); });
    ended.catch(() => undefined); // raced below
    const stop = async (what, reason) => {
      const event = await within(Promise.race([stopped, ended]), what);
      if (event.reason !== reason) throw fail(`expected the ${what}, got a stop for ${JSON.stringify(event)}`);
    };
    await stop('stop on entry', 'entry');
    const [bp] = await within(em.setBreakpoints(program, [{ line: 7 }]), 'breakpoint');
    if (!bp?.verified || bp.line !== 7) throw fail(`the breakpoint at line 7 is ${JSON.stringify(bp)}`);
    for (const next of ['stop at the breakpoint', null]) {
      const { frames } = await within(em.stackTrace(0, 20), 'stack');
      const scopes = await within(em.scopes(frames[0].id), 'scopes');
      for (const scope of scopes) await within(em.variables(scope.ref), 'variables');
      await within(em.evaluate('1 + 1', frames[0].id, 'watch'), 'evaluation');
      if (!next) break;
      stopped = new Promise((resolve) => em.once('stopped', resolve));
      await within(em.continue(), 'continue');
      await stop(next, 'breakpoint');
      const { frames: [top] } = await within(em.stackTrace(0, 1), 'stack');
      if (top?.line !== 7) throw fail(`the breakpoint stopped at ${JSON.stringify(top)}, not at line 7`);
    }
    await within(em.setBreakpoints(program, []), 'breakpoints cleared');
    await within(em.continue(), 'continue');
    const outcome = await within(done, 'end of the script');
    if (outcome.status !== 'ok') throw fail(JSON.stringify(outcome));
    // With source maps on (NODE_OPTIONS=--enable-source-maps), workers load their bundle
    // without the cache (worker-loader.cts): nothing to save, and runtimes start slower.
    if (runtime.codeCache === 'off') {
      process.stderr.write('scripts/bundle.mjs: no code cache made: source maps are enabled, and with them runtimes do not use it\n');
      return;
    }
    await within(runtime.saveCodeCache().catch((e) => { throw fail(e.message); }), 'saved cache');
  } finally {
    await em.dispose();
  }
}
