// Bundles the runtime worker (dist/src/runtime/worker, compiled by tsc) into a few files, so a
// worker thread starts by loading three modules instead of some thirty: about 10 ms less from
// spawn to ready for a debuggable runtime, which is the critical path of `llmspell dap` to its
// first stop (docs/performance.md, "Start-up"). The debugger stays a chunk of its own, loaded
// only by runtimes that debug; packages (wasmoon) stay in node_modules.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/runtime/worker/worker-main.js'],
  outdir: 'dist/src/runtime/worker-bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
