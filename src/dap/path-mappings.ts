// `pathMappings` in launch/attach: the editor's copy of the files (localRoot) and the paths the
// script runs from (remoteRoot) differ, e.g. a kernel on another machine or in a container.
// Breakpoints the editor sets map to the script's paths; paths coming back map to the editor's.
import * as path from 'node:path';
import { badArgs } from './errors.js';

export interface PathMapping {
  localRoot: string;
  remoteRoot: string;
}

export function parsePathMappings(command: string, value: unknown): PathMapping[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badArgs(`'${command}': pathMappings must be an array of {localRoot, remoteRoot}`);
  return value.map((m: unknown, i) => {
    const { localRoot, remoteRoot } = (m ?? {}) as Partial<PathMapping>;
    if (typeof localRoot !== 'string' || typeof remoteRoot !== 'string' || !localRoot || !remoteRoot) {
      throw badArgs(`'${command}': pathMappings[${i}] needs localRoot and remoteRoot strings`);
    }
    return { localRoot: trimSep(localRoot), remoteRoot: trimSep(remoteRoot) };
  });
}

const trimSep = (p: string): string => (p.length > 1 ? p.replace(/[\\/]+$/, '') : p);

function remap(p: string, from: string, to: string): string | null {
  if (p === from) return to;
  if (p.startsWith(`${from}/`) || p.startsWith(`${from}${path.sep}`)) return `${to}${p.slice(from.length)}`;
  return null;
}

/** The script's path for an editor path (the longest matching localRoot wins). */
export function toRemote(mappings: PathMapping[], p: string): string {
  for (const m of [...mappings].sort((a, b) => b.localRoot.length - a.localRoot.length)) {
    const r = remap(p, m.localRoot, m.remoteRoot);
    if (r !== null) return r;
  }
  return p;
}

/** The editor's path for a script path (the longest matching remoteRoot wins). */
export function toLocal(mappings: PathMapping[], p: string): string {
  for (const m of [...mappings].sort((a, b) => b.remoteRoot.length - a.remoteRoot.length)) {
    const r = remap(p, m.remoteRoot, m.localRoot);
    if (r !== null) return r;
  }
  return p;
}
