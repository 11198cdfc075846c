// A small Jupyter client: shell, control and stdin as DEALER sockets sharing one identity (so
// input_request comes back to us), iopub as SUB. Requests resolve with their reply; iopub
// messages go to whoever registered for the request that caused them. Used by
// `llmspell kernel connect`, `kernel interrupt` and the daemon's readiness check.
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection-file.js';
import { decode, encode, makeHeader, Signer, type Message } from './wire.js';

export type ClientChannel = 'shell' | 'control' | 'stdin';

export class JupyterClientError extends Error {}

/** Sends a ping to the kernel's heartbeat port; true when it echoes within timeoutMs. */
export async function pingHeartbeat(info: ConnectionInfo, timeoutMs: number): Promise<boolean> {
  const sock = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
  try {
    sock.connect(endpoint(info, info.hb_port));
    await sock.send('ping');
    const [echo] = await sock.receive();
    return echo?.toString() === 'ping';
  } catch {
    return false;
  } finally {
    sock.close();
  }
}

export class JupyterClient {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly sockets: Record<ClientChannel, zmq.Dealer>;
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, (msg: Message) => void>();
  private readonly iopubListeners = new Map<string, (msg: Message) => void>();
  private opened = false;
  private closed = false;
  /** iopub messages no registered request caused (other clients' cells, shutdown notices). */
  onBroadcast: ((msg: Message) => void) | null = null;
  /** input_request from the kernel (io.read in a cell we sent). */
  onInputRequest: ((msg: Message) => void) | null = null;

  constructor(private readonly info: ConnectionInfo) {
    this.signer = new Signer(info.key);
    const routingId = `llmspell-${this.session}`;
    this.sockets = {
      shell: new zmq.Dealer({ routingId, linger: 0 }),
      control: new zmq.Dealer({ linger: 0 }),
      stdin: new zmq.Dealer({ routingId, linger: 0 }),
    };
  }

  /** Connects the sockets, without waiting for anything. */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    const i = this.info;
    this.sockets.shell.connect(endpoint(i, i.shell_port));
    this.sockets.control.connect(endpoint(i, i.control_port));
    this.sockets.stdin.connect(endpoint(i, i.stdin_port));
    this.iopub.connect(endpoint(i, i.iopub_port));
    this.iopub.subscribe();
    for (const ch of ['shell', 'control', 'stdin'] as ClientChannel[]) void this.receive(ch, this.sockets[ch]);
    void this.receive('iopub', this.iopub);
  }

  /**
   * Connects and waits until the kernel answers and iopub delivers (a SUB socket misses what
   * is published before its subscription arrives): kernel_info_request until one's status
   * comes through iopub. Asked on control, which a kernel answers even while a cell runs.
   * Returns the kernel_info_reply content.
   */
  async connect(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    this.open();
    const i = this.info;
    const deadline = Date.now() + timeoutMs;
    let info: Record<string, unknown> | null = null;
    while (Date.now() < deadline) {
      let sawIopub = false;
      const { msgId, reply } = this.request('control', 'kernel_info_request', {});
      const seen = new Promise<void>((resolve) => this.iopubListeners.set(msgId, () => { sawIopub = true; resolve(); }));
      await Promise.race([Promise.all([reply.then((r) => { info = r.content; }), seen]), sleep(Math.min(500, Math.max(0, deadline - Date.now())))]);
      this.iopubListeners.delete(msgId);
      if (info && sawIopub) return info;
    }
    this.close();
    throw new JupyterClientError(info ? 'the kernel answers but its iopub channel delivers nothing' : `no answer from the kernel at ${i.ip}:${i.control_port} within ${timeoutMs / 1000} s`);
  }

  /** Sends a request; `reply` resolves with the kernel's reply to it. */
  request(channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>): { msgId: string; reply: Promise<Message> } {
    const header = makeHeader(msgType, this.session);
    const reply = new Promise<Message>((resolve) => this.replies.set(header.msg_id, resolve));
    void this.sockets[channel].send(encode([], header, {}, {}, content, this.signer)).catch(() => undefined);
    return { msgId: header.msg_id, reply };
  }

  /** A request whose reply must come within timeoutMs (else a JupyterClientError). */
  async call(channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>, timeoutMs: number): Promise<Message> {
    this.open();
    const { msgId, reply } = this.request(channel, msgType, content);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.replies.delete(msgId);
        reject(new JupyterClientError(`no ${msgType.replace(/_request$/, '_reply')} from the kernel at ${this.info.ip}:${this.info[`${channel}_port`]} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([reply, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Registers for the iopub messages caused by request MSGID (until `unlisten`). */
  listen(msgId: string, fn: (msg: Message) => void): void {
    this.iopubListeners.set(msgId, fn);
  }

  unlisten(msgId: string): void {
    this.iopubListeners.delete(msgId);
  }

  /** Answers an input_request. */
  inputReply(parent: Message, value: string): void {
    const header = makeHeader('input_reply', this.session);
    void this.sockets.stdin.send(encode([], header, parent.header, {}, { value }, this.signer)).catch(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...Object.values(this.sockets), this.iopub]) s.close();
  }

  private async receive(channel: ClientChannel | 'iopub', sock: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of sock) {
        const d = decode(frames as Buffer[], this.signer);
        if (!d.ok) continue; // not signed with our kernel's key: ignore
        const msg = d.message;
        const parentId = msg.parent_header.msg_id;
        if (channel === 'iopub') {
          const fn = parentId ? this.iopubListeners.get(parentId) : undefined;
          if (fn) fn(msg);
          else this.onBroadcast?.(msg);
        } else if (channel === 'stdin') {
          if (msg.header.msg_type === 'input_request') this.onInputRequest?.(msg);
        } else if (parentId) {
          const resolve = this.replies.get(parentId);
          this.replies.delete(parentId);
          resolve?.(msg);
        }
      }
    } catch {
      // closed
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
