// One WebSocket connection carrying Jupyter messages (Jupyter Server's kernel WebSocket
// protocol): a FrontendTransport of its own, so replies to its requests come back on it and
// iopub broadcasts reach it with everyone else's. A malformed message is answered on this
// connection only, and the connection keeps serving: a request that can be named gets its
// `_reply` with status "error"; anything else an iopub `error` message saying what was wrong.
import type { WebSocket } from 'ws';
import type { Channel, FrontendEvents, FrontendTransport } from './kernel-frontends.js';
import { decodeWsMessage, encodeWsMessage, type WsChannel } from './websocket-codec.js';
import { makeHeader, type Header, type Message } from './wire.js';

/** Bytes a WebSocket client may leave unread before it is dropped. */
export const MAX_BACKLOG = 16 * 1024 * 1024;

export class WebSocketFrontend implements FrontendTransport {
  constructor(
    private readonly ws: WebSocket,
    /** The kernel's session (KernelFrontends.session), for the messages this transport makes itself. */
    private readonly session: string,
    /** The peer's address, for logs. */
    readonly remote: string,
  ) {}

  listen(events: FrontendEvents): void {
    this.ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const d = decodeWsMessage(bytes, isBinary);
      if (d.ok) {
        events.message(d.channel, d.message);
        return;
      }
      events.rejected(d.channel ?? null, `WebSocket client ${this.remote}: ${d.error}`);
      void this.answerMalformed(d.error, d.channel, d.header);
    });
  }

  private answerMalformed(error: string, channel: Channel | undefined, header: Header | undefined): Promise<void> {
    const evalue = `llmspell could not take this message: ${error}`;
    if (header && header.msg_type.endsWith('_request')) {
      const reply = makeHeader(header.msg_type.replace(/_request$/, '_reply'), this.session);
      return this.write(encodeWsMessage(channel ?? 'shell', reply, header, {}, { status: 'error', ename: 'BadMessage', evalue, traceback: [] }));
    }
    return this.write(encodeWsMessage('iopub', makeHeader('error', this.session), header ?? {}, {}, { ename: 'BadMessage', evalue, traceback: [] }));
  }

  deliver(channel: Channel, parent: Message, header: Header, metadata: Record<string, unknown>, content: unknown): Promise<void> {
    return this.write(encodeWsMessage(channel, header, parent.header, metadata, content));
  }

  broadcast(header: Header, parent: Partial<Header>, content: unknown): Promise<void> {
    return this.write(encodeWsMessage('iopub' satisfies WsChannel, header, parent, {}, content));
  }

  /**
   * Queues a message and returns at once: the kernel never waits for one client's socket (a
   * browser that stops reading would hold up every other frontend). A client that lets more
   * than MAX_BACKLOG bytes pile up is dropped, as ZeroMQ drops a slow subscriber's messages.
   */
  private write(text: string): Promise<void> {
    if (this.ws.readyState !== this.ws.OPEN) return Promise.resolve();
    if (this.ws.bufferedAmount > MAX_BACKLOG) {
      this.onOverflow();
      this.ws.terminate();
      return Promise.resolve();
    }
    // A send that fails means the connection is going; its close is handled elsewhere.
    this.ws.send(text, () => undefined);
    return Promise.resolve();
  }

  /** Told when the client is dropped for reading too slowly (for the log). */
  onOverflow: () => void = () => undefined;

  close(): void {
    this.ws.close(1001, 'kernel shutting down');
  }
}
