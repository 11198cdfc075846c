// Stream output for iopub, batched: a cell that prints in a loop would otherwise send one
// signed message per write, and ZeroMQ drops a subscriber's messages past 1,000 queued ones,
// so a frontend that reads slowly lost output and even the cell's `idle` status (it then shows
// the cell busy forever). Text of each stream (stdout, stderr) of one request is gathered for a
// short while and sent as one message, as ipykernel does; anything else published first sends
// what is pending, so frontends see output before the messages that follow it. Like ipykernel,
// stdout and stderr written in turns arrive as one message each per batch.
import type { Header } from './wire.js';

export interface StreamContent {
  name: string;
  text: string;
}

/** How long text may wait for more (the delay a user can notice is far longer). */
export const STREAM_BATCH_MS = 50;
/** Past this much pending text it goes out at once. */
export const STREAM_BATCH_CHARS = 64 * 1024;

export class StreamBatcher {
  /** Pending text by stream name, in the order the streams were first written. */
  private readonly pending = new Map<string, string>();
  private parent: Partial<Header> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly send: (parent: Partial<Header> | null, content: StreamContent) => Promise<void>,
    private readonly delayMs = STREAM_BATCH_MS,
    private readonly maxChars = STREAM_BATCH_CHARS,
  ) {}

  /** Adds text; it goes out within delayMs, or at once when enough has gathered. */
  add(parent: Partial<Header> | null, content: StreamContent): Promise<void> {
    const sameRequest = (this.parent?.msg_id ?? null) === (parent?.msg_id ?? null);
    const before = this.pending.size && !sameRequest ? this.flush() : Promise.resolve();
    if (!this.pending.size) {
      this.parent = parent;
      this.timer = setTimeout(() => void this.flush(), this.delayMs);
      this.timer.unref();
    }
    const text = (this.pending.get(content.name) ?? '') + content.text;
    this.pending.set(content.name, text);
    if (text.length >= this.maxChars) return Promise.all([before, this.flush()]).then(() => undefined);
    return before;
  }

  /** Sends what is pending now (before any other message is published). */
  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    const sends = [...this.pending].map(([name, text]) => this.send(this.parent, { name, text }));
    this.pending.clear();
    return Promise.all(sends).then(() => undefined);
  }
}
