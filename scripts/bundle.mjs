// Bundles what tsc compiled (dist/src) for start-up time (docs/performance.md, "Start-up"); the
// packages stay in node_modules. Node's ES module loader pays for every file it resolves and
// loads, and `llmspell dap`'s first stop waits on both of these paths:
// - the runtime worker (src/runtime/worker) loads three modules instead of some thirty: about
//   10 ms less from spawn to ready for a debuggable runtime. The debugger is a chunk of its own,
//   loaded only by runtimes that debug.
// - the command line (bin/llmspell.js) loads a few chunks instead of some sixty modules: the
//   `initialize` response comes 15-20 ms sooner. Each command's layers stay chunks loaded on
//   demand, as the dynamic imports in src/cli/commands ask.
// Tests import the unbundled modules in dist/src; the bundles are built from the same files.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all([
  // Modules that find files next to themselves (import.meta.url) sit one folder below dist/src,
  // as these bundles do, so their relative paths hold in both (src/runtime/script-runtime.ts).
  build({ ...common, entryPoints: ['dist/src/runtime/worker/worker-main.js'], outdir: 'dist/src/runtime/worker-bundle' }),
  build({ ...common, entryPoints: ['dist/src/cli/prestart.js', 'dist/src/cli/main.js'], outdir: 'dist/src/cli-bundle' }),
]);
