// Where a script's standard streams go. The worker never writes to fds 1/2 itself: output is
// posted to the main thread, which owns the process's streams (or turns them into DAP output
// events or Jupyter stream messages). Input comes from a source chosen by the runtime's owner.
import * as fs from 'node:fs';
import { LuaRaise } from './lua/lua-vm.js';

export type OutputSink = (stream: 'stdout' | 'stderr', data: Uint8Array) => void;

/** A blocking byte source: returns null at end of input. */
export interface InputSource {
  read(max: number): Uint8Array | null;
}

/** Reads the process's own fd 0, blocking the worker (never the main thread). */
export class FdInput implements InputSource {
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  constructor(private readonly fd = 0) {}
  read(max: number): Uint8Array | null {
    const buf = Buffer.allocUnsafe(max);
    for (;;) {
      try {
        const n = fs.readSync(this.fd, buf, 0, max, null);
        return n === 0 ? null : buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // A non-blocking fd (set so by a parent) has no data yet: wait a little and retry.
        if (code === 'EAGAIN') { Atomics.wait(this.sleeper, 0, 0, 10); continue; }
        if (code === 'EOF') return null;
        throw e;
      }
    }
  }
}

/** No input at all: every read is end of input (DAP over stdio must never read protocol bytes). */
export class EmptyInput implements InputSource {
  read(): null { return null; }
}

/**
 * Input the owner supplies on request: the worker asks, then waits (interruptibly) until the
 * answer arrives on its port. An answer is a line (a notebook's input_request; a newline is
 * added), raw bytes (this process's stdin, read by the main thread), or null for end of input.
 */
export type InputAnswer = string | Uint8Array | null;

export class RequestedInput implements InputSource {
  private pending: Uint8Array | null = null;
  private ended = false;
  constructor(
    private readonly ask: () => void,
    private readonly receive: () => InputAnswer | undefined,
    private readonly wait: () => void,
    /** Checked while waiting: when it returns a message, the read fails with it (an interrupt). */
    private readonly interrupted: () => string | null = () => null,
  ) {}

  /** A new run may read again after an earlier one saw end of input (a notebook's next cell). */
  reset(): void {
    this.ended = false;
    this.pending = null;
    // An answer that came after its read was interrupted belongs to no one now.
    while (this.receive() !== undefined);
  }

  read(max: number): Uint8Array | null {
    if (!this.pending || this.pending.length === 0) {
      if (this.ended) return null;
      this.ask();
      let answer: InputAnswer | undefined;
      while ((answer = this.receive()) === undefined) {
        const why = this.interrupted();
        if (why) throw new LuaRaise(why);
        this.wait();
      }
      if (answer === null) { this.ended = true; return null; }
      this.pending = typeof answer === 'string' ? Buffer.from(`${answer}\n`, 'utf8') : answer;
    }
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    return out;
  }
}
