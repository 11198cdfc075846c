// A transport only moves DAP messages: stdio, a TCP socket, or an in-memory pair in tests.
// The session above it does not know which.
import type { Readable, Writable } from 'node:stream';
import { encodeFrame, FrameParser } from './framing.js';

export interface DapTransport {
  send(message: unknown): void;
  onMessage(fn: (message: unknown) => void): void;
  /** A frame could not be read: the text says why. Fatal ones end the connection. */
  onError(fn: (error: string, fatal: boolean) => void): void;
  onClose(fn: () => void): void;
  close(): void;
}

/** The listener plumbing every transport has: one message and one error listener, close listeners. */
export abstract class TransportListeners {
  protected messageFn: (m: unknown) => void = () => undefined;
  protected errorFn: (e: string, fatal: boolean) => void = () => undefined;
  private readonly closeFns: (() => void)[] = [];
  protected closed = false;

  onMessage(fn: (m: unknown) => void): void { this.messageFn = fn; }
  onError(fn: (e: string, fatal: boolean) => void): void { this.errorFn = fn; }
  onClose(fn: () => void): void { this.closeFns.push(fn); }

  /** Marks the transport closed; false when it already was (close() then does nothing more). */
  protected markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    return true;
  }

  protected notifyClosed(): void {
    for (const fn of this.closeFns) fn();
  }
}

/** DAP over a byte stream pair (stdin/stdout, or both ends of a socket). */
export class StreamTransport extends TransportListeners implements DapTransport {
  private readonly parser = new FrameParser();
  private corked = false;

  constructor(private readonly input: Readable, private readonly output: Writable) {
    super();
    input.on('data', (chunk: Buffer) => {
      for (const f of this.parser.push(chunk)) {
        if (this.closed) return; // a connection being closed runs nothing more it sent
        if (f.ok) this.messageFn(f.message);
        else {
          this.errorFn(f.error, f.fatal);
          if (f.fatal) { this.close(); return; }
        }
      }
    });
    input.on('end', () => this.close());
    input.on('error', () => this.close());
    output.on('error', () => this.close());
  }

  /** The largest message this peer may send (less before it has authenticated). */
  set maxMessageBytes(n: number) { this.parser.maxMessage = n; }

  /**
   * Messages sent in one turn of the event loop go out in one write (a burst of output events,
   * a response and its events): one system call, one TCP segment, instead of one per message.
   */
  send(message: unknown): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.output.cork();
      setImmediate(() => this.uncork());
    }
    this.output.write(encodeFrame(message));
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.output.uncork();
  }

  close(): void {
    if (!this.markClosed()) return;
    this.notifyClosed();
    // What was already written (a last error event) still goes out before a socket closes.
    this.uncork();
    if (this.output !== process.stdout) this.output.end();
    if (this.input === process.stdin) return;
    const input = this.input;
    const output: Writable = this.output;
    if ((input as unknown) !== output || output.writableFinished) input.destroy();
    else output.once('finish', () => input.destroy());
  }
}
