// DAP over a WebSocket: each WebSocket message is one DAP message, JSON without Content-Length
// framing (the WebSocket keeps message boundaries). Since one bad message cannot confuse where
// the next one starts, a message that is not JSON, or not a DAP message, is reported to the
// client and the connection goes on (unlike a byte stream, where it has to close).
import type { WebSocket } from 'ws';
import { describeMessage, jsonErrorWhere } from './message-text.js';
import { TransportListeners, type DapTransport } from './transport.js';

/** Bytes a DAP WebSocket client may leave unread before it is dropped. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

export class WebSocketTransport extends TransportListeners implements DapTransport {
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (e) {
        this.errorFn(`a DAP message over WebSocket must be JSON (one message per WebSocket message, no Content-Length): ${jsonErrorWhere(e)}`, false);
        return;
      }
      const m = message as { seq?: unknown };
      if (typeof message !== 'object' || message === null || Array.isArray(message) || typeof m.seq !== 'number') {
        this.errorFn(`a DAP message needs type "request", a numeric seq and a command; got ${describeMessage(message)}`, false);
        return;
      }
      this.messageFn(message);
    });
    ws.on('close', () => this.close());
    ws.on('error', () => this.close());
  }

  send(message: unknown): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    // A client that stopped reading is dropped rather than buffered for without end.
    if (this.ws.bufferedAmount > MAX_UNREAD_BYTES) { this.close(); this.ws.terminate(); return; }
    this.ws.send(JSON.stringify(message));
  }
  close(): void {
    if (!this.markClosed()) return;
    this.notifyClosed();
    // What was already sent (a last output event) goes out before the close frame.
    this.ws.close(1000);
  }
}
