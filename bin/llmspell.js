#!/usr/bin/env node
// `llmspell run` starts its Lua worker first, so that it boots while the rest of the CLI loads.
import { prestart } from '../dist/src/cli/prestart.js';

prestart(process.argv);
const { main } = await import('../dist/src/cli/main.js');
await main(process.argv);
