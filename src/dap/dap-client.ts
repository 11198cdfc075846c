// The client end of a DAP connection: numbered requests that resolve with their response's
// body (or reject with its message), and the events the other side sends. Used where llmspell
// itself talks to a kernel's dap_port: the terminal debugger attached to a kernel, and the CLI's
// shared-breakpoint commands.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { StreamTransport, type DapTransport } from './transport.js';

export class DapRequestError extends Error {
  constructor(readonly command: string, message: string) {
    super(message);
  }
}

export interface DapClientEvents {
  event: [P.Event];
  close: [];
}

export class DapClient extends EventEmitter<DapClientEvents> {
  private seq = 1;
  private readonly waiting = new Map<number, { command: string; resolve: (body: unknown) => void; reject: (e: Error) => void }>();
  private closedFlag = false;

  constructor(private readonly transport: DapTransport) {
    super();
    transport.onMessage((raw) => this.receive(raw as P.ProtocolMessage));
    transport.onError(() => undefined);
    transport.onClose(() => this.closed());
  }

  /** Connects to HOST:PORT; fails after timeoutMs without an answer. */
  static connect(host: string, port: number, timeoutMs = 10_000): Promise<DapClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port });
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer from ${host}:${port} within ${timeoutMs / 1000} s`)); }, timeoutMs);
      socket.once('error', (e) => { clearTimeout(timer); reject(e); });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        resolve(new DapClient(new StreamTransport(socket, socket)));
      });
    });
  }

  get isClosed(): boolean { return this.closedFlag; }

  /** Sends a request; resolves with its response's body, rejects with the message of a failed one. */
  request<T = unknown>(command: string, args?: unknown): Promise<T> {
    if (this.closedFlag) return Promise.reject(new DapRequestError(command, 'the connection is closed'));
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { command, resolve: resolve as (b: unknown) => void, reject });
      this.transport.send({ seq, type: 'request', command, ...(args === undefined ? {} : { arguments: args }) });
    });
  }

  close(): void {
    this.transport.close();
  }

  private receive(m: P.ProtocolMessage): void {
    if (m.type === 'response') {
      const r = m as P.Response;
      const w = this.waiting.get(r.request_seq);
      if (!w) return;
      this.waiting.delete(r.request_seq);
      if (r.success) w.resolve(r.body);
      else w.reject(new DapRequestError(w.command, r.message ?? `'${w.command}' failed`));
    } else if (m.type === 'event') {
      this.emit('event', m as P.Event);
    } else if (m.type === 'request') {
      // A reverse request (runInTerminal): nothing here can serve one.
      this.transport.send({ seq: this.seq++, type: 'response', request_seq: m.seq, command: (m as P.Request).command, success: false, message: 'not supported by this client' });
    }
  }

  private closed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const w of this.waiting.values()) w.reject(new DapRequestError(w.command, 'the connection closed'));
    this.waiting.clear();
    this.emit('close');
  }
}
