// This process's stdin, read on the main thread a chunk at a time when a script asks for input.
// The worker never reads fd 0 itself: a thread blocked in read(2) cannot be terminated, and
// Ctrl-C must end a script waiting for input.
import type { Readable } from 'node:stream';

export class StdinPump {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private waiter: ((b: Buffer | null) => void) | null = null;
  private attached = false;

  constructor(private readonly input: Readable) {}

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.input.on('data', (b: Buffer) => {
      this.input.pause();
      if (this.waiter) { const w = this.waiter; this.waiter = null; w(b); } else this.chunks.push(b);
    });
    this.input.on('end', () => this.finish());
    this.input.on('error', () => this.finish());
  }

  private finish(): void {
    this.ended = true;
    if (this.waiter) { const w = this.waiter; this.waiter = null; w(null); }
  }

  /** The next chunk of input, or null at end of input. */
  next(): Promise<Buffer | null> {
    this.attach();
    const queued = this.chunks.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.input.resume();
    });
  }

  /** Lets the process exit: stdin no longer keeps it alive. */
  stop(): void {
    if (this.attached) this.input.pause();
    if (this.input === process.stdin && this.attached) process.stdin.unref?.();
  }
}
