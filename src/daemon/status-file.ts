// A self-started kernel's status file, kernel-ID.status beside its connection file (mode 0600):
// who is attached and what it is doing, rewritten by the kernel whenever that changes. It is
// how `kernel list` and `kernel status` learn a kernel's clients without talking to it, so a
// kernel that hangs or was killed never makes them wait: a file whose pid is not the
// connection file's is ignored, and a killed kernel's file is removed with its other files.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A debugger client as the status file lists it. */
export interface StatusClient {
  id: string;
  /** dap-tcp, dap-stdio (an editor through `llmspell dap`), dap-websocket (`--ws-port`), terminal (`kernel connect --debug`), jupyter. */
  kind: string;
  remote?: string;
  attachedAt: string;
  breakpoints: number;
}

export interface KernelStatusFile {
  pid: number;
  updated: string;
  state: 'idle' | 'running' | 'stopped';
  /** Connections on the kernel's shell socket: Jupyter frontends and `kernel connect` consoles. */
  jupyter_frontends: number;
  /** Attached debugger clients (a Jupyter frontend's debugger is one of them). */
  debuggers: StatusClient[];
  /** Breakpoints set from the CLI or the fleet (owner "shared"). */
  shared_breakpoints: { source: string; line: number; condition?: string }[];
}

/** The status file of the kernel whose connection file is FILE: kernel-ID.json → kernel-ID.status. */
export function statusFileOf(connectionFile: string): string {
  return path.join(path.dirname(connectionFile), `${path.basename(connectionFile).replace(/\.json$/, '')}.status`);
}

/**
 * How many clients a status says are attached: every Jupyter connection and every debugger
 * with a connection of its own. A Jupyter frontend's debugger talks over that frontend's
 * connection, so it is not counted twice.
 */
export function clientCount(s: KernelStatusFile): number {
  return s.jupyter_frontends + s.debuggers.filter((d) => d.kind !== 'jupyter').length;
}

/** The status file's content if it belongs to process PID; null when missing, unreadable or another's. */
export function readStatusFile(file: string, pid: number | undefined): KernelStatusFile | null {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as KernelStatusFile;
    if (typeof s !== 'object' || s === null || s.pid !== pid || !Array.isArray(s.debuggers) || typeof s.jupyter_frontends !== 'number') return null;
    return s;
  } catch {
    return null;
  }
}

/** Replaces FILE at once (write beside it, then rename), readable by its owner only. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, file);
}

export interface StatusFileWriter {
  /** Writes now if anything changed (also called on a timer). */
  refresh(): void;
  /** Stops writing and removes the file (if it is still this process's). */
  close(): void;
}

/** How often the kernel looks for a change to write. */
const REFRESH_MS = 250;

export function startStatusFile(
  file: string,
  snapshot: () => Omit<KernelStatusFile, 'pid' | 'updated'>,
  log: { warn(obj: object, msg: string): void },
): StatusFileWriter {
  let last = '';
  let failed = false;
  const refresh = (): void => {
    let now: string;
    try {
      now = JSON.stringify(snapshot());
    } catch {
      return; // the kernel is starting or stopping
    }
    if (now === last) return;
    try {
      writeAtomically(file, `${JSON.stringify({ pid: process.pid, updated: new Date().toISOString(), ...JSON.parse(now) as object }, null, 2)}\n`);
      last = now;
      failed = false;
    } catch (e) {
      // Said once, not every tick: `kernel list` shows '?' meanwhile.
      if (!failed) log.warn({ statusFile: file, err: (e as Error).message }, 'cannot write the status file');
      failed = true;
    }
  };
  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  timer.unref();
  return {
    refresh,
    close() {
      clearInterval(timer);
      if (readStatusFile(file, process.pid)) fs.rmSync(file, { force: true });
    },
  };
}
