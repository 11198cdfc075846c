// `console: integratedTerminal/externalTerminal`: the editor opens a terminal running
// `llmspell terminal-relay`, which connects back here. The script's output is written to that
// terminal and what the user types there is the script's stdin, while the script itself stays
// in this process under the debugger. A one-time token keeps other local processes out.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';

export class TerminalRelay {
  /** The script's stdin: what the user types in the terminal. */
  readonly input = new PassThrough();
  readonly token = randomBytes(16).toString('hex');
  private socket: net.Socket | null = null;
  private readonly pending: string[] = [];
  private readonly server: net.Server;
  port = 0;
  readonly connected: Promise<boolean>;

  private constructor(timeoutMs: number) {
    let settle: (ok: boolean) => void = () => undefined;
    this.connected = new Promise((r) => { settle = r; });
    this.server = net.createServer((sock) => this.accept(sock, settle));
    setTimeout(() => { if (!this.socket) { settle(false); this.close(); } }, timeoutMs).unref();
  }

  static async listen(timeoutMs = 15_000): Promise<TerminalRelay> {
    const relay = new TerminalRelay(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve());
    });
    relay.port = (relay.server.address() as net.AddressInfo).port;
    return relay;
  }

  private accept(sock: net.Socket, settle: (ok: boolean) => void): void {
    if (this.socket) { sock.destroy(); return; }
    let head = '';
    const onData = (b: Buffer): void => {
      head += b.toString('utf8');
      const nl = head.indexOf('\n');
      if (nl < 0) { if (head.length > 100) sock.destroy(); return; }
      sock.off('data', onData);
      if (head.slice(0, nl).trim() !== this.token) { sock.destroy(); return; }
      this.socket = sock;
      this.server.close();
      const rest = head.slice(nl + 1);
      if (rest) this.input.write(rest);
      sock.pipe(this.input);
      sock.on('error', () => this.input.end());
      for (const text of this.pending.splice(0)) sock.write(text);
      settle(true);
    };
    sock.on('data', onData);
  }

  /** Writes the script's output to the terminal (kept until the terminal connects). */
  write(text: string): void {
    if (this.socket) this.socket.write(text);
    else this.pending.push(text);
  }

  close(): void {
    this.server.close();
    this.socket?.end();
    this.input.end();
  }
}

/** The other end, run in the editor's terminal: connect, then copy stdin up and output down. */
export function runRelayClient(port: number, token: string): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write(`${token}\n`);
      process.stdin.pipe(sock);
    });
    sock.pipe(process.stdout);
    sock.on('end', () => resolve(0));
    sock.on('error', (e) => { process.stderr.write(`llmspell: cannot reach the debugger: ${e.message}\n`); resolve(1); });
  });
}
