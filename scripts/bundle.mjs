// Bundles what tsc compiled (dist/src) for start-up time (docs/performance.md, "Start-up").
// Node's ES module loader pays for every file it resolves and
// loads, and `llmspell dap`'s first stop waits on both of these paths:
// - the runtime worker (src/runtime/worker, with wasmoon) is one CommonJS file, which the
//   worker's loader (src/runtime/worker-loader.cts) runs from the V8 code cache made here: the
//   thread neither resolves some thirty modules nor parses 390 KB. The debugger's modules are in it but are
//   only evaluated by runtimes that debug (esbuild turns their dynamic import into a lazy
//   initialiser).
// - the command line (bin/llmspell.js) loads a few chunks instead of some sixty modules: the
//   `initialize` response comes 15-20 ms sooner. Each command's layers stay chunks loaded on
//   demand, as the dynamic imports in src/cli/commands ask; packages stay in node_modules.
// Tests import the unbundled modules in dist/src; the bundles are built from the same files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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
    // The one module that asks for import.meta.url (lua-vm.ts, to require wasmoon) gets the bundle's.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  }),
  build({ ...common, entryPoints: ['dist/src/cli/prestart.js', 'dist/src/cli/main.js'], outdir: cliBundle, splitting: true, format: 'esm' }),
]);
await trainCodeCache();

/**
 * Starts a runtime on the bundle just built, takes it through what `llmspell dap` does first
 * (start-up, a stop on entry, a stack, variables, a breakpoint) and saves V8's code cache of
 * the bundle (src/runtime/code-cache.cts), so each runtime starts with those functions compiled.
 */
async function trainCodeCache() {
  const { ExecutionManager } = await import('../dist/src/debug/index.js');
  const program = `${root}scripts/code-cache-training.lua`;
  const em = new ExecutionManager();
  const nextStop = () => new Promise((resolve) => em.once('stopped', resolve));
  try {
    const runtime = await em.start({ cwd: root, debug: true, stopOnEntry: true });
    let stop = nextStop();
    // runFile, not runProgram: the runtime stays when the script ends (a launch's would not).
    const done = em.runFile(program);
    await stop;
    await em.setBreakpoints(program, [{ line: 7 }]);
    for (let i = 0; i < 2; i++) {
      const { frames } = await em.stackTrace(0, 20);
      const scopes = await em.scopes(frames[0].id);
      for (const scope of scopes) await em.variables(scope.ref);
      await em.evaluate('1 + 1', frames[0].id, 'watch');
      stop = nextStop();
      await em.continue();
      if (i === 0) await stop;
    }
    await em.setBreakpoints(program, []);
    await em.continue();
    const outcome = await done;
    if (outcome.status !== 'ok') throw new Error(`the code cache's training run failed: ${JSON.stringify(outcome)}`);
    await runtime.saveCodeCache();
  } finally {
    await em.dispose();
  }
}
