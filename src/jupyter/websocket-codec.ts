// Jupyter messages on a WebSocket, in Jupyter Server's default kernel WebSocket protocol: one
// WebSocket message per kernel message, a JSON object with header, parent_header, metadata,
// content and the `channel` it belongs to (shell, control, stdin; iopub from the kernel).
// Messages with binary buffers come as a binary WebSocket message: a big-endian uint32 count
// N, then N uint32 offsets (the JSON's, then each buffer's), then the JSON and the buffers.
// No HMAC: the connection was authenticated when it was opened. A malformed message is a
// value naming the problem, with what could be read of it (so a request can be answered).
import { jsonErrorWhere } from '../dap/message-text.js';
import type { Channel } from './kernel-frontends.js';
import type { Header, Message } from './wire.js';

export type WsChannel = Channel | 'iopub';

const CHANNELS: readonly Channel[] = ['shell', 'control', 'stdin'];

export type WsDecoded =
  | { ok: true; channel: Channel; message: Message }
  | { ok: false; error: string; channel?: Channel; header?: Header };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function decodeWsMessage(data: Buffer, isBinary: boolean): WsDecoded {
  let text: string;
  let buffers: Buffer[] = [];
  if (isBinary) {
    const split = splitBinary(data);
    if (typeof split === 'string') return { ok: false, error: split };
    text = split.json.toString('utf8');
    buffers = split.buffers;
  } else {
    text = data.toString('utf8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${jsonErrorWhere(e)}: send each kernel message as a JSON object with channel, header, parent_header, metadata and content` };
  }
  if (!isObject(raw)) return { ok: false, error: 'a kernel message must be a JSON object with channel, header, parent_header, metadata and content' };
  const header = isObject(raw.header) && typeof raw.header.msg_type === 'string' && typeof raw.header.msg_id === 'string' ? raw.header as unknown as Header : undefined;
  const channel = CHANNELS.find((c) => c === raw.channel);
  if (!header) return { ok: false, channel, error: 'the message has no header with a string msg_id and msg_type' };
  if (!channel) {
    const why = raw.channel === 'iopub' ? 'iopub carries messages from the kernel only' : raw.channel === undefined ? 'the message has no "channel"' : `unknown channel ${JSON.stringify(raw.channel).slice(0, 40)}`;
    return { ok: false, header, error: `${why}: send on "shell", "control" or "stdin"` };
  }
  for (const part of ['parent_header', 'metadata', 'content'] as const) {
    if (raw[part] !== undefined && raw[part] !== null && !isObject(raw[part])) return { ok: false, channel, header, error: `"${part}" must be a JSON object` };
  }
  return {
    ok: true,
    channel,
    message: {
      identities: [],
      header,
      parent_header: (raw.parent_header ?? {}) as Partial<Header>,
      metadata: (raw.metadata ?? {}) as Json,
      content: (raw.content ?? {}) as Json,
      buffers,
    },
  };
}

/** The JSON and buffers of a binary message (count, offsets, JSON, buffers), or why not. */
function splitBinary(data: Buffer): { json: Buffer; buffers: Buffer[] } | string {
  const bad = (why: string): string => `binary message: ${why} (expected a big-endian uint32 count, the offsets of the JSON and of each buffer, then the JSON and the buffers)`;
  if (data.length < 8) return bad(`only ${data.length} bytes`);
  const n = data.readUInt32BE(0);
  if (n < 1 || 4 * (n + 1) > data.length) return bad(`${n} offsets do not fit in ${data.length} bytes`);
  const offsets = Array.from({ length: n }, (_, i) => data.readUInt32BE(4 * (i + 1)));
  const bounds = [...offsets, data.length];
  for (let i = 0; i < n; i++) {
    if (bounds[i] < 4 * (n + 1) || bounds[i] > bounds[i + 1]) return bad(`offset ${i} (${bounds[i]}) is out of order or out of range`);
  }
  const parts = offsets.map((start, i) => data.subarray(start, bounds[i + 1]));
  return { json: parts[0], buffers: parts.slice(1) };
}

/** A kernel message as the kernel sends it on a WebSocket (text: the kernel sends no buffers). */
export function encodeWsMessage(channel: WsChannel, header: Header, parent: Partial<Header>, metadata: Json, content: unknown): string {
  return JSON.stringify({ channel, header, parent_header: parent, metadata, content, buffers: [] });
}
