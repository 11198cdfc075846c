// The commands the cases time: llmspell and native Lua, each running one Lua file.
import { llmspellBin, scriptPath } from './paths.js';
import type { LuaInfo } from './machine.js';

export interface Command {
  /** Who runs the script, as shown in measurement names: "llmspell", "lua5.4". */
  runner: string;
  file: string;
  args: string[];
}

/** `llmspell run <script> [args]` through the same launcher users run. */
export function llmspellRun(script: string, args: readonly string[] = []): Command {
  return { runner: 'llmspell', file: process.execPath, args: [llmspellBin, 'run', scriptPath(script), ...args] };
}

/** `lua5.4 <script> [args]`. */
export function nativeLua(lua: LuaInfo, script: string, args: readonly string[] = []): Command {
  return { runner: 'lua5.4', file: lua.command, args: [scriptPath(script), ...args] };
}
