#!/usr/bin/env node
// The command line, bundled by `npm run build` (scripts/bundle.mjs). `llmspell run` and `dap`
// start their Lua worker first, so that it boots while the rest of the CLI loads.
import { prestart } from '../dist/src/cli-bundle/prestart.js';

prestart(process.argv);
const { main } = await import('../dist/src/cli-bundle/main.js');
await main(process.argv);
