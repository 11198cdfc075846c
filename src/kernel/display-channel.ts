// Rich output from Lua in a kernel session: the `jupyter` global (jupyter.display,
// jupyter.clear_output) writes an APC escape sequence (ESC _ … ESC \, which terminals ignore)
// on stdout; DisplayChannel takes these out of the stdout text and turns them into
// display_data and clear_output messages, in order with the text around them. The payload is
// hex, so a sequence is plain ASCII whatever it carries.
//
// This lives in the kernel only: the runtime just sees writes on stdout. (A dedicated worker
// message would be cleaner; this needs no change below src/kernel.)

const START = '\u001b_llmspell:';
const END = '\u001b\\';

/** Defines the `jupyter` global; run once when a kernel session starts. */
export const JUPYTER_PRELUDE = `
local stdout, type, pairs, tostring, concat, format, byte, sub, sort =
  io.stdout, type, pairs, tostring, table.concat, string.format, string.byte, string.sub, table.sort
local function hex(s)
  s = tostring(s)
  local out = {}
  for i = 1, #s, 2048 do
    local piece = sub(s, i, i + 2047)
    out[#out + 1] = format(string.rep('%02x', #piece), byte(piece, 1, -1))
  end
  return concat(out)
end
local function fields(t)
  local keys, out = {}, {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = hex(k) .. '=' .. hex(t[k]) end
  return concat(out, ';')
end
local function send(kind, payload)
  stdout:write('\\27_llmspell:' .. kind .. ':' .. payload .. '\\27\\\\')
end
jupyter = {
  --- Shows a value in the notebook: a string as text/plain, or a table of MIME type → content
  --- ({["text/html"] = "<b>hi</b>", ["text/plain"] = "hi"}); metadata is an optional table.
  display = function(value, metadata)
    local data
    if type(value) == 'table' then data = value else data = { ['text/plain'] = tostring(value) } end
    local meta = {}
    if type(metadata) == 'table' then for k, v in pairs(metadata) do meta[k] = v end end
    send('display', fields(data) .. '|' .. fields(meta))
  end,
  --- Clears the cell's output; with wait = true, only when new output arrives.
  clear_output = function(wait)
    send('clear_output', wait and '1' or '0')
  end,
}
`;

export type DisplayEvent =
  | { kind: 'text'; text: string }
  | { kind: 'display'; data: Record<string, string>; metadata: Record<string, string> }
  | { kind: 'clear_output'; wait: boolean };

function unhex(h: string): string {
  return Buffer.from(h, 'hex').toString('utf8');
}

function parseFields(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of s.split(';')) {
    if (!pair) continue;
    const [k, v = ''] = pair.split('=');
    out[unhex(k)] = unhex(v);
  }
  return out;
}

function parseCommand(body: string): DisplayEvent | null {
  const colon = body.indexOf(':');
  const kind = body.slice(0, colon);
  const payload = body.slice(colon + 1);
  if (kind === 'display') {
    const [data = '', meta = ''] = payload.split('|');
    return { kind: 'display', data: parseFields(data), metadata: parseFields(meta) };
  }
  if (kind === 'clear_output') return { kind: 'clear_output', wait: payload === '1' };
  return null;
}

/** Splits stdout text into plain text and display commands; feed chunks, flush at a cell's end. */
export class DisplayChannel {
  private pending = '';

  constructor(private readonly emit: (e: DisplayEvent) => void) {}

  write(chunk: string): void {
    this.pending += chunk;
    for (;;) {
      const start = this.pending.indexOf(START);
      if (start < 0) {
        // Keep a tail that may be the beginning of a sequence split across writes.
        const keep = partialPrefix(this.pending, START);
        this.text(this.pending.slice(0, this.pending.length - keep));
        this.pending = this.pending.slice(this.pending.length - keep);
        return;
      }
      const end = this.pending.indexOf(END, start + START.length);
      if (end < 0) {
        this.text(this.pending.slice(0, start));
        this.pending = this.pending.slice(start);
        return;
      }
      this.text(this.pending.slice(0, start));
      const body = this.pending.slice(start + START.length, end);
      this.pending = this.pending.slice(end + END.length);
      const cmd = parseCommand(body);
      if (cmd) this.emit(cmd);
      else this.text(`${START}${body}${END}`);
    }
  }

  /** Whatever is held back (an unfinished sequence) goes out as text. */
  flush(): void {
    this.text(this.pending);
    this.pending = '';
  }

  private text(text: string): void {
    if (text) this.emit({ kind: 'text', text });
  }
}

/** Length of the longest suffix of s that is a proper prefix of marker. */
function partialPrefix(s: string, marker: string): number {
  for (let n = Math.min(s.length, marker.length - 1); n > 0; n--) {
    if (marker.startsWith(s.slice(s.length - n))) return n;
  }
  return 0;
}
