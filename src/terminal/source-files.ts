// Finds the file a user means ("accounts.lua", "examples/accounts.lua", an absolute path) and
// reads source lines for listings.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function resolveUserFile(name: string, known: string[], cwd = process.cwd()): string | string[] {
  const direct = path.resolve(cwd, name);
  if (fs.existsSync(direct)) return direct;
  const matches = [...new Set(known.filter((k) => k === name || k.endsWith(`/${name}`)))];
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) return matches;
  return direct; // not loaded yet and not on disk here: keep as given (pending)
}

const cache = new Map<string, string[]>();

export function sourceLines(file: string): string[] {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = fs.readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  return lines;
}

export function relativeName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
