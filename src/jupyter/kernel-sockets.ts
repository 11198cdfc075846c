// The five ZeroMQ sockets of a Jupyter kernel: shell, control and stdin (ROUTER), iopub (PUB)
// and heartbeat (REP, echoing): one FrontendTransport of the kernel. Sends on one socket are
// queued: a zeromq socket takes one send at a time.
import * as zmq from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection-file.js';
import type { Channel, FrontendEvents, FrontendTransport } from './kernel-frontends.js';
import { decode, encode, Signer, type Header, type Message } from './wire.js';

export type { Channel } from './kernel-frontends.js';

class SendQueue {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly sock: zmq.Writable) {}
  send(frames: Buffer[]): Promise<void> {
    this.chain = this.chain.then(() => this.sock.send(frames)).catch(() => undefined);
    return this.chain;
  }
}

export class KernelSockets implements FrontendTransport {
  private readonly signer: Signer;
  private readonly routers: Record<Channel, zmq.Router>;
  private readonly queues: Record<Channel | 'iopub', SendQueue>;
  private readonly iopub = new zmq.Publisher();
  private readonly hb = new zmq.Reply();
  private closed = false;
  /** Connections on shell now: one per Jupyter frontend (`kernel list` counts them). */
  private shellPeers = 0;

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key);
    this.routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
    this.queues = {
      shell: new SendQueue(this.routers.shell),
      control: new SendQueue(this.routers.control),
      stdin: new SendQueue(this.routers.stdin),
      iopub: new SendQueue(this.iopub),
    };
  }

  async bind(): Promise<void> {
    const i = this.info;
    await Promise.all([
      this.routers.shell.bind(endpoint(i, i.shell_port)),
      this.routers.control.bind(endpoint(i, i.control_port)),
      this.routers.stdin.bind(endpoint(i, i.stdin_port)),
      this.iopub.bind(endpoint(i, i.iopub_port)),
      this.hb.bind(endpoint(i, i.hb_port)),
    ]);
    const shell = this.routers.shell.events;
    shell.on('accept', () => { this.shellPeers++; });
    shell.on('disconnect', () => { this.shellPeers = Math.max(0, this.shellPeers - 1); });
  }

  /** How many peers are connected to shell (Jupyter frontends, `kernel connect` consoles). */
  get frontends(): number {
    return this.shellPeers;
  }

  /** Starts receiving; each message is verified (HMAC) before it reaches `events`. */
  listen(events: FrontendEvents): void {
    for (const channel of ['shell', 'control', 'stdin'] as Channel[]) {
      void (async () => {
        try {
          for await (const frames of this.routers[channel]) {
            const d = decode(frames as Buffer[], this.signer);
            if (d.ok) events.message(channel, d.message);
            else events.rejected(channel, d.error);
          }
        } catch (e) {
          if (!this.closed) events.rejected(channel, `socket error: ${(e as Error).message}`);
        }
      })();
    }
    void (async () => {
      try {
        for await (const frames of this.hb) await this.hb.send(frames as Buffer[]);
      } catch {
        // closed
      }
    })();
  }

  /** A reply (or request, on stdin) to the peer that sent `parent`. */
  deliver(channel: Channel, parent: Message, header: Header, metadata: Record<string, unknown>, content: unknown): Promise<void> {
    return this.queues[channel].send(encode(parent.identities, header, parent.header, metadata, content, this.signer));
  }

  /** A broadcast on iopub, tied to the request that caused it. */
  broadcast(header: Header, parent: Partial<Header>, content: unknown): Promise<void> {
    const topic = Buffer.from(`kernel.${this.info.kernel_id ?? 'llmspell'}.${header.msg_type}`);
    return this.queues.iopub.send(encode([topic], header, parent, {}, content, this.signer));
  }

  close(): void {
    this.closed = true;
    for (const s of [...Object.values(this.routers), this.iopub, this.hb]) s.close();
  }
}
