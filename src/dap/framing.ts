// DAP's base protocol framing: `Content-Length: N\r\n\r\n` then N bytes of JSON. The parser
// reports each problem as a value (a bad header, bad JSON) and resynchronises at the next
// header when it can, so one malformed frame does not lose the rest of the stream.
export type Frame = { ok: true; message: unknown } | { ok: false; error: string; fatal: boolean };

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_MESSAGE = 64 * 1024 * 1024;

export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the complete frames they finish. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buf.length > 8192) {
          out.push({ ok: false, error: 'no DAP header (Content-Length: N) found in the first 8 KiB', fatal: true });
          this.buf = Buffer.alloc(0);
        }
        return out;
      }
      const header = this.buf.subarray(0, end).toString('ascii');
      const m = /(?:^|\r\n)Content-Length:\s*(\d+)\s*(?:\r\n|$)/i.exec(header);
      if (!m) {
        out.push({ ok: false, error: `bad DAP header ${JSON.stringify(header.slice(0, 80))}: expected Content-Length: N`, fatal: false });
        this.buf = this.buf.subarray(end + HEADER_END.length);
        continue;
      }
      const length = Number(m[1]);
      if (length > MAX_MESSAGE) {
        out.push({ ok: false, error: `DAP message of ${length} bytes is larger than the ${MAX_MESSAGE} allowed`, fatal: true });
        this.buf = Buffer.alloc(0);
        return out;
      }
      const start = end + HEADER_END.length;
      if (this.buf.length < start + length) return out;
      const body = this.buf.subarray(start, start + length).toString('utf8');
      this.buf = this.buf.subarray(start + length);
      try {
        out.push({ ok: true, message: JSON.parse(body) });
      } catch (e) {
        out.push({ ok: false, error: `invalid JSON in DAP message: ${(e as Error).message}`, fatal: false });
      }
    }
  }
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}
