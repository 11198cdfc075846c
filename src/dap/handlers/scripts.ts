// llmspell/runScript: a kernel starts a script in a runtime of its own, a new thread of the
// debuggee (`llmspell kernel run`); llmspell/scripts: the scripts it runs (`kernel status`). Custom requests carry the `llmspell/` prefix, as DAP
// leaves the plain names to the specification.
import * as path from 'node:path';
import type { DapSession, KernelScriptInfo, RunScriptResult } from '../dap-session.js';
import { badArgs, DapError, DapErrorCode, expectType } from '../errors.js';

export const RUN_SCRIPT = 'llmspell/runScript';
export const LIST_SCRIPTS = 'llmspell/scripts';

interface RunScriptArgs { program?: unknown; args?: unknown; cwd?: unknown; wait?: unknown }

export async function runScript(s: DapSession, args: RunScriptArgs): Promise<RunScriptResult> {
  if (!s.target.runScript) throw new DapError(DapErrorCode.NotSupported, `'${RUN_SCRIPT}' starts scripts in a kernel: attach to one (\`llmspell kernel start\`), not to a single script`);
  expectType(RUN_SCRIPT, 'program', args.program, 'string');
  expectType(RUN_SCRIPT, 'args', args.args, 'array', true);
  expectType(RUN_SCRIPT, 'cwd', args.cwd, 'string', true);
  expectType(RUN_SCRIPT, 'wait', args.wait, 'boolean', true);
  const scriptArgs = (args.args as unknown[] | undefined) ?? [];
  if (!scriptArgs.every((a) => typeof a === 'string')) throw badArgs(`'${RUN_SCRIPT}': argument 'args' must be an array of strings`);
  if (typeof args.cwd === 'string' && !path.isAbsolute(args.cwd)) throw badArgs(`'${RUN_SCRIPT}': cwd must be an absolute path (the kernel's working directory is not the client's)`);
  const cwd = (args.cwd as string | undefined) ?? process.cwd();
  return s.target.runScript({ program: path.resolve(cwd, args.program as string), args: scriptArgs as string[], cwd, wait: args.wait === true }, s);
}

export async function listScripts(s: DapSession): Promise<{ scripts: KernelScriptInfo[] }> {
  if (!s.target.listScripts) throw new DapError(DapErrorCode.NotSupported, `'${LIST_SCRIPTS}' lists a kernel's scripts: attach to a kernel`);
  return { scripts: s.target.listScripts() };
}
