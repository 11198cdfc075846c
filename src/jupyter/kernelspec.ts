// Installs the kernelspec where Jupyter looks: <data dir>/kernels/<name>/kernel.json. Its argv
// names node and our CLI by absolute path, so it works from a clone with nothing on PATH.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SpecLocation = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

export function kernelsDir(where: SpecLocation): string {
  switch (where.kind) {
    case 'user':
      return path.join(process.env.JUPYTER_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'jupyter'), 'kernels');
    case 'prefix':
      return path.join(path.resolve(where.dir), 'share', 'jupyter', 'kernels');
    case 'sys-prefix':
      return path.join(pythonPrefix(), 'share', 'jupyter', 'kernels');
  }
}

/** sys.prefix of the Python that runs Jupyter (Debian's by default). */
function pythonPrefix(): string {
  for (const py of [process.env.LLMSPELL_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p)) {
    try {
      return execFileSync(py, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    } catch {
      // try the next one
    }
  }
  return '/usr/local';
}

// From dist/src/<layer> and from the CLI's bundle in dist/src/cli-bundle alike (scripts/bundle.mjs).
const cliPath = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/llmspell.js');

export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, cliPath(), 'kernel', 'start', '--connection-file', '{connection_file}'],
    display_name: 'Lua (llmspell)',
    language: 'lua',
    interrupt_mode: 'message',
    metadata: { debugger: true },
  };
}

export function installKernelSpec(name: string, where: SpecLocation): string {
  const dir = path.join(kernelsDir(where), name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'kernel.json'), `${JSON.stringify(kernelSpec(), null, 2)}\n`);
  return dir;
}

export function uninstallKernelSpec(name: string, where: SpecLocation): string | null {
  const dir = path.join(kernelsDir(where), name);
  if (!fs.existsSync(path.join(dir, 'kernel.json'))) return null;
  fs.rmSync(dir, { recursive: true, force: true });
  return dir;
}
