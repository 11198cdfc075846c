// Where notebook cells live on disk while they run, named as JupyterLab computes them: the
// Murmur2 (x86, 32-bit) hash of the cell's UTF-8 code with our seed, between a prefix and a
// suffix we advertise in debugInfo. A breakpoint set in a cell is a breakpoint in that file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const HASH_SEED = 0xc70f6907;

export function murmur2(text: string, seed: number): number {
  const data = Buffer.from(text, 'utf8');
  const m = 0x5bd1e995;
  let h = (seed ^ data.length) >>> 0;
  const rounded = data.length & ~3;
  for (let i = 0; i < rounded; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = data.length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= data[rounded + 2] << 16;
    if (rest >= 2) k ^= data[rounded + 1] << 8;
    k ^= data[rounded];
    h ^= k;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h >>> 0;
}

export class CellFiles {
  readonly prefix: string;
  readonly suffix = '.lua';

  constructor(id: string = String(process.pid)) {
    const dir = path.join(os.tmpdir(), `llmspell_${id}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.prefix = `${dir}${path.sep}`;
  }

  pathFor(code: string): string {
    return `${this.prefix}${murmur2(code, HASH_SEED)}${this.suffix}`;
  }

  /** Writes the cell's code to its file (dumpCell, and before running a cell). */
  dump(code: string): string {
    const file = this.pathFor(code);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== code) fs.writeFileSync(file, code);
    return file;
  }

  cleanup(): void {
    fs.rmSync(this.prefix, { recursive: true, force: true });
  }
}
