// A minimal DAP client for timing: send a request, await its response; wait for events or
// watch all of them. Speaks over TCP (`llmspell dap --port`, a kernel's dap_port) or over a
// child process's stdin/stdout (`llmspell dap`, as editors run it).
import type { ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';

export type DapMessage = Record<string, unknown>;

export class DapWireClient {
  private buf = Buffer.alloc(0);
  private seq = 1;
  private readonly waiting = new Map<number, (m: DapMessage) => void>();
  private readonly eventWaiters: { event: string; resolve: (m: DapMessage) => void }[] = [];
  /** Sees every event as it arrives, before any waiter. */
  onEvent: ((m: DapMessage) => void) | null = null;

  private constructor(input: Readable, private readonly output: Writable, private readonly end: () => void) {
    input.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const headerEnd = this.buf.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const len = Number(/Content-Length: (\d+)/.exec(this.buf.subarray(0, headerEnd).toString('ascii'))?.[1]);
        if (this.buf.length < headerEnd + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8')) as DapMessage;
        this.buf = this.buf.subarray(headerEnd + 4 + len);
        if (msg.type === 'response') {
          this.waiting.get(msg.request_seq as number)?.(msg);
          this.waiting.delete(msg.request_seq as number);
        } else if (msg.type === 'event') {
          this.onEvent?.(msg);
          const i = this.eventWaiters.findIndex((w) => w.event === msg.event);
          if (i >= 0) this.eventWaiters.splice(i, 1)[0]!.resolve(msg);
        }
      }
    });
  }

  static connect(port: number): Promise<DapWireClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection(port, '127.0.0.1', () => {
        s.setNoDelay(true);
        resolve(new DapWireClient(s, s, () => s.destroy()));
      });
      s.once('error', reject);
    });
  }

  /** A client on a child spawned with stdio ['pipe', 'pipe', ...]: DAP on its stdin and stdout. */
  static overStdio(child: ChildProcess): DapWireClient {
    return new DapWireClient(child.stdout!, child.stdin!, () => child.stdin!.end());
  }

  request(command: string, args?: unknown): Promise<DapMessage> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (m) => (m.success ? resolve(m) : reject(new Error(`${command}: ${String(m.message)}`))));
      this.output.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /** The next event of that name (register before causing it). */
  event(event: string): Promise<DapMessage> {
    return new Promise((resolve) => this.eventWaiters.push({ event, resolve }));
  }

  /** Closes the connection (TCP) or the child's stdin (stdio). */
  close(): void {
    this.end();
  }
}
