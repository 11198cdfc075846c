// FILE:LINE as the CLI's breakpoint commands take it: the file is the user's (relative to the
// current directory), sent to kernels as an absolute path.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class LocationError extends Error {}

export function parseLocation(spec: string, mustExist: boolean, cwd = process.cwd()): { source: string; line: number } {
  const m = /^(.+):(\d+)$/.exec(spec);
  if (!m) throw new LocationError(`'${spec}' is not FILE:LINE (for example src/main.lua:12)`);
  const line = Number(m[2]);
  if (line < 1) throw new LocationError(`'${spec}': lines start at 1`);
  const source = path.resolve(cwd, m[1]);
  if (mustExist && !fs.existsSync(source)) throw new LocationError(`'${spec}': no file ${source}`);
  return { source, line };
}
