// The Jupyter wire protocol: identities, the <IDS|MSG> delimiter, an HMAC-SHA256 signature
// over the four JSON frames, then header, parent header, metadata, content and buffers.
// Messages with a bad signature are rejected as values, never parsed further.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '5.3';
const DELIMITER = '<IDS|MSG>';

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

export type Decoded = { ok: true; message: Message } | { ok: false; error: string };

export class Signer {
  constructor(private readonly key: string) {}

  sign(frames: Buffer[]): string {
    if (!this.key) return '';
    const h = createHmac('sha256', this.key);
    for (const f of frames) h.update(f);
    return h.digest('hex');
  }

  verify(signature: string, frames: Buffer[]): boolean {
    if (!this.key) return true;
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

export function decode(frames: Buffer[], signer: Signer): Decoded {
  const d = frames.findIndex((f) => f.length === DELIMITER.length && f.toString('latin1') === DELIMITER);
  if (d < 0) return { ok: false, error: 'no <IDS|MSG> delimiter' };
  if (frames.length < d + 6) return { ok: false, error: `too few frames (${frames.length - d - 1} after the delimiter, 5 needed)` };
  const signature = frames[d + 1].toString('utf8');
  const parts = frames.slice(d + 2, d + 6);
  if (!signer.verify(signature, parts)) return { ok: false, error: 'bad signature' };
  try {
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')) as Record<string, unknown>);
    if (typeof header?.msg_type !== 'string') return { ok: false, error: 'header has no msg_type' };
    return {
      ok: true,
      message: {
        identities: frames.slice(0, d),
        header: header as unknown as Header,
        parent_header: (parent ?? {}) as Partial<Header>,
        metadata: metadata ?? {},
        content: content ?? {},
        buffers: frames.slice(d + 6),
      },
    };
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
}

export function makeHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: 'llmspell', date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}

export function encode(identities: Buffer[], header: Header, parent: Partial<Header>, metadata: Record<string, unknown>, content: unknown, signer: Signer): Buffer[] {
  const parts = [header, parent, metadata, content].map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  return [...identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts];
}
