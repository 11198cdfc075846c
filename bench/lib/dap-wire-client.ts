// A minimal DAP client over TCP for timing round trips: send a request, await its response.
import * as net from 'node:net';

export class DapWireClient {
  private buf = Buffer.alloc(0);
  private seq = 1;
  private readonly waiting = new Map<number, (m: Record<string, unknown>) => void>();
  private readonly eventWaiters: { event: string; resolve: (m: Record<string, unknown>) => void }[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/Content-Length: (\d+)/.exec(this.buf.subarray(0, end).toString('ascii'))?.[1]);
        if (this.buf.length < end + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Record<string, unknown>;
        this.buf = this.buf.subarray(end + 4 + len);
        if (msg.type === 'response') {
          this.waiting.get(msg.request_seq as number)?.(msg);
          this.waiting.delete(msg.request_seq as number);
        } else if (msg.type === 'event') {
          const i = this.eventWaiters.findIndex((w) => w.event === msg.event);
          if (i >= 0) this.eventWaiters.splice(i, 1)[0].resolve(msg);
        }
      }
    });
  }

  static connect(port: number): Promise<DapWireClient> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection(port, '127.0.0.1', () => resolve(new DapWireClient(s)));
      s.once('error', reject);
    });
  }

  request(command: string, args?: unknown): Promise<Record<string, unknown>> {
    const seq = this.seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, (m) => (m.success ? resolve(m) : reject(new Error(`${command}: ${String(m.message)}`))));
      this.socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  /** The next event of that name (register before causing it). */
  event(event: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.eventWaiters.push({ event, resolve }));
  }

  close(): void {
    this.socket.destroy();
  }
}
