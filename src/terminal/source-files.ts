// Finds the file a user means ("pricing.lua", "lib/pricing.lua", an absolute path) and reads
// source lines for listings.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type FileMatch =
  | { kind: 'file'; file: string }
  | { kind: 'ambiguous'; files: string[] }
  | { kind: 'none'; file: string };

/**
 * What `name` in `.break NAME:LINE` or `--break-at` means, in this order: a path relative to
 * the working directory that exists; the one loaded file whose path ends with it; the one file
 * under the search roots (the script's folder, the working directory) whose path ends with it.
 */
export function resolveUserFile(name: string, loaded: string[], roots: string[], cwd = process.cwd()): FileMatch {
  const direct = path.resolve(cwd, name);
  if (fs.existsSync(direct)) return { kind: 'file', file: direct };
  if (path.isAbsolute(name)) return { kind: 'none', file: direct };
  const suffix = `${path.sep}${path.normalize(name)}`;
  const fromLoaded = unique(loaded.filter((k) => k.endsWith(suffix)));
  if (fromLoaded.length === 1) return { kind: 'file', file: fromLoaded[0] };
  if (fromLoaded.length > 1) return { kind: 'ambiguous', files: fromLoaded };
  for (const root of unique(roots.map((r) => path.resolve(cwd, r)))) {
    const found = findFiles(root, path.basename(name)).filter((f) => f.endsWith(suffix));
    if (found.length === 1) return { kind: 'file', file: found[0] };
    if (found.length > 1) return { kind: 'ambiguous', files: found };
  }
  return { kind: 'none', file: direct };
}

/** The folders of LUA_PATH's templates ("../vendor/?.lua" → "../vendor"): where `require` looks. */
export function luaPathDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const templates = (env.LUA_PATH_5_4 ?? env.LUA_PATH ?? '').split(';').filter((t) => t.includes('?'));
  return unique(templates.map((t) => path.dirname(t.slice(0, t.indexOf('?')) + 'x')));
}

/** Where `llmspell debug script` looks for a bare file name: the script's folder, here, LUA_PATH. */
export function scriptSearchRoots(script: string): string[] {
  return [path.dirname(path.resolve(script)), process.cwd(), ...luaPathDirs()];
}

/** What is wrong with a match for a breakpoint (several files, or a bare name found nowhere), or null. */
export function matchProblem(name: string, match: FileMatch, roots: string[]): string | null {
  if (match.kind === 'ambiguous') return `${name} matches several files: ${match.files.map(relativeName).join(', ')}; give more of the path`;
  if (match.kind === 'none' && !name.includes('/')) {
    return `no file named ${name} is loaded or found under ${unique(roots.map((r) => relativeName(r) || '.')).join(', ')}; give its path`;
  }
  return null;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** Files called `base` under `root`, a few levels deep, skipping hidden folders and node_modules. */
function findFiles(root: string, base: string, maxDepth = 4, maxEntries = 5000): string[] {
  const found: string[] = [];
  let budget = maxEntries;
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (--budget < 0) return;
      if (e.isFile() && e.name === base) found.push(path.join(dir, e.name));
      else if (e.isDirectory() && depth < maxDepth && !e.name.startsWith('.') && e.name !== 'node_modules') walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(root, 0);
  return found.sort();
}

const cache = new Map<string, string[]>();

export function sourceLines(file: string): string[] {
  let lines = cache.get(file);
  if (!lines) {
    try {
      lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    } catch {
      lines = [];
    }
    cache.set(file, lines);
  }
  return lines;
}

export function relativeName(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
