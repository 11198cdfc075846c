// The machine the figures were measured on, and the native Lua found on it.
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';

export interface LuaInfo {
  /** What we spawn: the --lua option as given. */
  command: string;
  /** First part of `lua -v`, e.g. "Lua 5.4.4". */
  version: string;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryGiB: number;
  os: string;
  node: string;
  wasmoon: string;
  lua: string;
  date: string;
  /**
   * 1-minute load averages when the run started and ended: wall times taken on a machine busy
   * with other work (load above the core count) are inflated, however they are interleaved.
   */
  loadAverage: { start: number; end?: number };
}

/** Runs `<command> -v`; null (with the reason) when it cannot be run. */
export function findLua(command: string): { lua: LuaInfo | null; problem?: string } {
  const r = spawnSync(command, ['-v'], { encoding: 'utf8' });
  if (r.error) return { lua: null, problem: `${command}: ${r.error.message}` };
  if (r.status !== 0) return { lua: null, problem: `${command} -v exited with ${r.status}` };
  const version = `${r.stdout}${r.stderr}`.trim().split(/\s{2,}/)[0] ?? '';
  if (!/^Lua 5\.4/.test(version)) return { lua: null, problem: `${command} is "${version}", not Lua 5.4` };
  return { lua: { command, version } };
}

export function machineInfo(lua: LuaInfo | null, luaProblem: string | undefined): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wasmoon: packageVersion('wasmoon'),
    lua: lua ? `${lua.version} (${lua.command})` : `not available: ${luaProblem ?? 'unknown'}`,
    date: new Date().toISOString(),
    loadAverage: { start: Math.round(os.loadavg()[0]! * 100) / 100 },
  };
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
