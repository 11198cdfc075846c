// The kernel's frontends under one face: every transport that carries Jupyter messages (the
// ZeroMQ sockets, each WebSocket connection) is a FrontendTransport, and the KernelServer talks
// to all of them through this hub without knowing which is which. A reply (or an
// input_request) goes back through the transport its request came in on; an iopub broadcast
// goes out on every transport as one message (one header, one msg_id).
import { randomUUID } from 'node:crypto';
import { StreamBatcher, type StreamContent } from './stream-batcher.js';
import { makeHeader, type Header, type Message } from './wire.js';

/** The channels a frontend sends requests on (iopub only carries the kernel's broadcasts). */
export type Channel = 'shell' | 'control' | 'stdin';

export interface FrontendEvents {
  message(channel: Channel, msg: Message): void;
  /** A message that could not be taken (bad signature, malformed); `channel` when it was known. */
  rejected(channel: Channel | null, reason: string): void;
}

/** One way frontends reach the kernel: it only moves messages, the hub decides where. */
export interface FrontendTransport {
  listen(events: FrontendEvents): void;
  /** To the peer that sent `parent` (a reply; on stdin, a request). */
  deliver(channel: Channel, parent: Message, header: Header, metadata: Record<string, unknown>, content: unknown): Promise<void>;
  /** To every peer subscribed to iopub. */
  broadcast(header: Header, parent: Partial<Header>, content: unknown): Promise<void>;
  close(): void;
}

export class KernelFrontends {
  /** The kernel's session: every message it makes carries it, whichever transport takes it. */
  readonly session = randomUUID();
  private readonly transports = new Set<FrontendTransport>();
  /** Which transport each received message came in on (so its reply goes back there). */
  private readonly origin = new WeakMap<Message, FrontendTransport>();
  private events: FrontendEvents | null = null;
  /** Stream text waits here briefly, to go out as few messages (see stream-batcher.ts). */
  private readonly streams = new StreamBatcher((parent, content) => this.broadcast('stream', parent, content));

  /** Adds a transport (the ZeroMQ sockets at start, a WebSocket when it connects); returns its removal. */
  add(transport: FrontendTransport): () => void {
    this.transports.add(transport);
    if (this.events) this.listenTo(transport, this.events);
    return () => { this.transports.delete(transport); };
  }

  /** Starts receiving from every transport, now and later added. */
  listen(events: FrontendEvents): void {
    this.events = events;
    for (const t of this.transports) this.listenTo(t, events);
  }

  private listenTo(transport: FrontendTransport, events: FrontendEvents): void {
    transport.listen({
      message: (channel, msg) => {
        this.origin.set(msg, transport);
        events.message(channel, msg);
      },
      rejected: (channel, reason) => events.rejected(channel, reason),
    });
  }

  /**
   * A reply (or request, on stdin) to the frontend that sent `parent`; nothing if it has gone.
   * Pending output goes out first (an input prompt after the text before it).
   */
  send(channel: Channel, parent: Message, msgType: string, content: unknown, metadata: Record<string, unknown> = {}): Promise<void> {
    // Both are handed to the transports now, in this order (a transport queues in call order).
    const flushed = this.streams.flush();
    const transport = this.origin.get(parent);
    if (!transport || !this.transports.has(transport)) return flushed;
    return Promise.all([flushed, transport.deliver(channel, parent, makeHeader(msgType, this.session), metadata, content)]).then(() => undefined);
  }

  /**
   * A broadcast on iopub to every frontend, tied to the request that caused it. Stream text is
   * batched; any other message first sends the text pending before it.
   */
  publish(msgType: string, parent: Partial<Header> | null, content: unknown): Promise<void> {
    if (msgType === 'stream') return this.streams.add(parent, content as StreamContent);
    // Handed over synchronously, pending text first: publishes keep the order they were made in.
    const flushed = this.streams.flush();
    return Promise.all([flushed, this.broadcast(msgType, parent, content)]).then(() => undefined);
  }

  private broadcast(msgType: string, parent: Partial<Header> | null, content: unknown): Promise<void> {
    const header = makeHeader(msgType, this.session);
    return Promise.all([...this.transports].map((t) => t.broadcast(header, parent ?? {}, content))).then(() => undefined);
  }

  close(): void {
    for (const t of this.transports) t.close();
    this.transports.clear();
  }
}
