// What a malformed message was, for logs and for the client, without its values: an attach
// carries the kernel's key as its token, and V8's JSON errors quote the text they failed on.

/** Where JSON.parse failed ("at position 12"), never the text around it. */
export function jsonErrorWhere(e: unknown): string {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : String(e));
  return m ? `not valid JSON at position ${m[1]}` : 'not valid JSON';
}

/** A message's kind and the names of its fields, never their values. */
export function describeMessage(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return `a ${raw === null ? 'null' : typeof raw}`;
  if (Array.isArray(raw)) return `an array of ${raw.length}`;
  const m = raw as Record<string, unknown>;
  const field = (k: string): string => (typeof m[k] === 'string' || typeof m[k] === 'number' ? `${k} ${JSON.stringify(m[k]).slice(0, 40)}` : `${k} (${m[k] === undefined ? 'missing' : typeof m[k]})`);
  return `an object with ${['type', 'seq', 'command'].map(field).join(', ')}`;
}
