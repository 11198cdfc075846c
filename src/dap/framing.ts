// DAP's base protocol framing: `Content-Length: N\r\n\r\n` then N bytes of JSON. A problem (a
// header without Content-Length, a body that is not JSON, a message too large) is reported as
// a value. It is the last frame read from that stream: after a wrong length or a garbage
// header nothing says where the next message starts, and guessing could run a request the
// client never sent, so the connection is closed instead.
export type Frame = { ok: true; message: unknown } | { ok: false; error: string; fatal: true };

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER = 8192;
const MAX_MESSAGE = 64 * 1024 * 1024;

export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;

  /** Feeds bytes; returns the complete frames they finish (nothing more once one failed). */
  push(chunk: Buffer): Frame[] {
    if (this.failed) return [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buf.length > MAX_HEADER) return this.fail(out, `no DAP header (Content-Length: N) in the first ${MAX_HEADER} bytes`);
        return out;
      }
      const header = this.buf.subarray(0, end).toString('latin1');
      const m = /(?:^|\r\n)Content-Length: *(\d+) *(?:\r\n|$)/i.exec(header);
      if (!m) return this.fail(out, `bad DAP header ${JSON.stringify(header.slice(0, 80))}: expected Content-Length: N`);
      const length = Number(m[1]);
      if (length > MAX_MESSAGE) return this.fail(out, `DAP message of ${length} bytes is larger than the ${MAX_MESSAGE} allowed`);
      const start = end + HEADER_END.length;
      if (this.buf.length < start + length) return out;
      const body = this.buf.subarray(start, start + length).toString('utf8');
      this.buf = this.buf.subarray(start + length);
      try {
        out.push({ ok: true, message: JSON.parse(body) });
      } catch (e) {
        return this.fail(out, `invalid JSON in a DAP message of ${length} bytes (is its Content-Length right?): ${(e as Error).message}`);
      }
    }
  }

  private fail(out: Frame[], error: string): Frame[] {
    this.failed = true;
    this.buf = Buffer.alloc(0);
    out.push({ ok: false, error, fatal: true });
    return out;
  }
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}
