// DAP's base protocol framing: `Content-Length: N\r\n\r\n` then N bytes of JSON. A problem (a
// header without Content-Length, a body that is not JSON, a message too large) is reported as
// a value. It is the last frame read from that stream: after a wrong length or a garbage
// header nothing says where the next message starts, and guessing could run a request the
// client never sent, so the connection is closed instead.
import { jsonErrorWhere } from './message-text.js';

export type Frame = { ok: true; message: unknown } | { ok: false; error: string; fatal: true };

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER = 8192;
/** The largest message a client may send (a transport may allow less, e.g. before it authenticated). */
export const MAX_MESSAGE = 64 * 1024 * 1024;

export class FrameParser {
  /** Bytes of a header not complete yet (at most MAX_HEADER). */
  private head: Buffer = Buffer.alloc(0);
  /** The body being received: its pieces are joined once, when the last arrives. */
  private body: { length: number; chunks: Buffer[]; size: number } | null = null;
  private failed = false;
  /** Messages larger than this end the stream (what its Content-Length says is checked first). */
  maxMessage = MAX_MESSAGE;

  /** Feeds bytes; returns the complete frames they finish (nothing more once one failed). */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let data = chunk;
    while (!this.failed) {
      if (this.body) {
        const b = this.body;
        const take = Math.min(data.length, b.length - b.size);
        if (take > 0) { b.chunks.push(data.subarray(0, take)); b.size += take; data = data.subarray(take); }
        if (b.size < b.length) return out;
        this.body = null;
        const text = (b.chunks.length === 1 ? b.chunks[0] : Buffer.concat(b.chunks)).toString('utf8');
        try {
          out.push({ ok: true, message: JSON.parse(text) });
        } catch (e) {
          return this.fail(out, `invalid JSON in a DAP message of ${b.length} bytes (is its Content-Length right?): ${jsonErrorWhere(e)}`);
        }
        continue;
      }
      if (!data.length && !this.head.length) return out;
      const buf = this.head.length ? Buffer.concat([this.head, data]) : data;
      data = Buffer.alloc(0);
      const end = buf.indexOf(HEADER_END);
      if (end < 0) {
        if (buf.length > MAX_HEADER) return this.fail(out, `no DAP header (Content-Length: N) in the first ${MAX_HEADER} bytes`);
        this.head = buf;
        return out;
      }
      this.head = Buffer.alloc(0);
      const header = buf.subarray(0, end).toString('latin1');
      const m = /(?:^|\r\n)Content-Length: *(\d+) *(?:\r\n|$)/i.exec(header);
      if (!m) return this.fail(out, `bad DAP header ${JSON.stringify(header.slice(0, 80))}: expected Content-Length: N`);
      const length = Number(m[1]);
      if (length > this.maxMessage) return this.fail(out, `DAP message of ${length} bytes is larger than the ${this.maxMessage} allowed`);
      this.body = { length, chunks: [], size: 0 };
      data = buf.subarray(end + HEADER_END.length);
    }
    return out;
  }

  private fail(out: Frame[], error: string): Frame[] {
    this.failed = true;
    this.head = Buffer.alloc(0);
    this.body = null;
    out.push({ ok: false, error, fatal: true });
    return out;
  }
}

/** One buffer, header and body written in place (a variables reply is some 10 KB: no second copy). */
export function encodeFrame(message: unknown): Buffer {
  const json = JSON.stringify(message);
  const length = Buffer.byteLength(json, 'utf8');
  const header = `Content-Length: ${length}\r\n\r\n`;
  const frame = Buffer.allocUnsafe(header.length + length);
  frame.write(header, 0, 'latin1');
  frame.write(json, header.length, 'utf8');
  return frame;
}
