import * as fs from 'node:fs';
// The functions of every file the script loaded, with their line ranges and the lines that
// hold code: breakpoints bind to these (decision 9), never to text a client sends.
import type { LuaVm, LuaState } from '../lua-vm.js';
import type { LuaLayout } from './lua-layout.js';

export interface FunctionInfo {
  proto: number;
  file: string;
  lineDefined: number;
  lastLineDefined: number;
  lines: number[];
  /** The name the source gives it (`Account:deposit`, `total`), or '' for anonymous ones. */
  name: string;
  isMain: boolean;
}

export interface FileInfo {
  path: string;
  functions: FunctionInfo[];
  /** Every line with code, sorted. */
  lines: number[];
  /** Source text lines, for names and for the terminal debugger's listings. */
  text: string[];
}

const DECL_PATTERNS: RegExp[] = [
  /\bfunction\s+([A-Za-z_][\w]*(?:\s*[.:]\s*[A-Za-z_][\w]*)*)\s*\(/, // function a.b:c(
  /\blocal\s+function\s+([A-Za-z_]\w*)\s*\(/,
  /([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*=\s*function\s*\(/, // a.b = function(
  /\[\s*["']([^"']+)["']\s*\]\s*=\s*function\s*\(/, // ["name"] = function(
];

/** The name a function is declared with on its first line, as Lua users write it. */
export function declaredName(lineText: string): string {
  for (const re of DECL_PATTERNS) {
    const m = re.exec(lineText);
    if (m) return m[1].replace(/\s+/g, '');
  }
  return '';
}

export class ChunkRegistry {
  readonly files = new Map<string, FileInfo>();
  readonly byProto = new Map<number, FunctionInfo>();
  /** Registry references keeping loaded chunks alive, so prototype addresses stay theirs. */
  private readonly keepAlive: number[] = [];

  constructor(private readonly vm: LuaVm, private readonly layout: LuaLayout) {}

  /** Registers the chunk on top of L's stack, loaded from `path`. */
  register(L: LuaState, path: string, source: Uint8Array): FileInfo {
    const text = new TextDecoder().decode(source).split('\n');
    const functions: FunctionInfo[] = [];
    const walk = (proto: number, isMain: boolean): void => {
      const pl = this.layout.protoLines(proto);
      const info: FunctionInfo = {
        proto,
        file: path,
        lineDefined: pl.lineDefined,
        lastLineDefined: pl.lastLineDefined,
        lines: pl.lines,
        name: isMain ? 'main chunk' : declaredName(text[pl.lineDefined - 1] ?? ''),
        isMain,
      };
      functions.push(info);
      this.byProto.set(proto, info);
      for (const child of pl.children) walk(child, false);
    };
    walk(this.layout.protoOfValue(L, -1), true);
    this.vm.pushValue(L, -1);
    this.keepAlive.push(this.vm.ref(L));
    const lines = [...new Set(functions.flatMap((f) => f.lines))].sort((a, b) => a - b);
    const file: FileInfo = { path, functions, lines, text };
    // A file loaded again (dofile twice) keeps the functions of both loads.
    const prev = this.files.get(path);
    if (prev) {
      prev.functions.push(...functions);
      prev.text = text;
      return prev;
    }
    this.files.set(path, file);
    return file;
  }

  private readonly previews = new Map<string, { mtimeMs: number; file: FileInfo }>();

  /**
   * The lines with code of a file not loaded yet, compiled from disk without running it (so a
   * breakpoint can be verified at once). Null when the file cannot be read or does not compile.
   */
  preview(path: string): FileInfo | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path);
    } catch {
      return null;
    }
    const cached = this.previews.get(path);
    if (cached && cached.mtimeMs === stat.mtimeMs) return cached.file;
    const { vm } = this;
    const L = vm.L;
    let source: Uint8Array;
    try {
      source = fs.readFileSync(path);
    } catch {
      return null;
    }
    const listener = vm.onChunkLoaded;
    vm.onChunkLoaded = null;
    const status = vm.load(L, source[0] === 35 ? source.subarray(source.indexOf(10)) : source, `@${path}`);
    vm.onChunkLoaded = listener;
    if (status !== 0) { vm.pop(L, 1); return null; }
    const functions: FunctionInfo[] = [];
    const walk = (proto: number, isMain: boolean): void => {
      const pl = this.layout.protoLines(proto);
      functions.push({ proto: 0, file: path, lineDefined: pl.lineDefined, lastLineDefined: pl.lastLineDefined, lines: pl.lines, name: '', isMain });
      for (const child of pl.children) walk(child, false);
    };
    walk(this.layout.protoOfValue(L, -1), true);
    vm.pop(L, 1);
    const file: FileInfo = { path, functions, lines: [...new Set(functions.flatMap((f) => f.lines))].sort((a, b) => a - b), text: [] };
    this.previews.set(path, { mtimeMs: stat.mtimeMs, file });
    return file;
  }

  /** The innermost function of `file` whose body holds `line`. */
  functionAt(file: FileInfo, line: number): FunctionInfo | undefined {
    let best: FunctionInfo | undefined;
    for (const f of file.functions) {
      const inside = f.isMain || (line >= f.lineDefined && line <= f.lastLineDefined);
      if (inside && f.lines.includes(line)) {
        if (!best || best.isMain || f.lineDefined >= best.lineDefined) best = f;
      }
    }
    return best;
  }
}
