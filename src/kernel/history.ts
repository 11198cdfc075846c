// The kernel's input history for history_request: every stored cell as (session, line, input),
// or (session, line, [input, output]) when the frontend asks for output. One session a kernel.

export type HistoryEntry = [session: number, line: number, input: string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type?: unknown;
  output?: unknown;
  n?: unknown;
  pattern?: unknown;
  unique?: unknown;
  session?: unknown;
  start?: unknown;
  stop?: unknown;
}

export const SESSION = 1;

/** Jupyter's glob (`*`, `?`) as an anchored regular expression. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly entries: { line: number; input: string; output: string | null }[] = [];

  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  /** The text of a cell's result (execute_result), kept for `output: true` queries. */
  setOutput(line: number, output: string): void {
    const e = this.entries.find((x) => x.line === line);
    if (e) e.output = output;
  }

  get length(): number {
    return this.entries.length;
  }

  query(q: HistoryQuery): HistoryEntry[] {
    const n = q.n === undefined || q.n === null ? undefined : Number(q.n);
    let hits = this.entries;
    switch (q.hist_access_type) {
      case 'tail':
        hits = n === undefined ? hits : hits.slice(-n);
        break;
      case 'search': {
        const re = globToRegExp(String(q.pattern ?? '*'));
        hits = hits.filter((h) => re.test(h.input));
        // unique keeps the latest occurrence of each input, as IPython does.
        if (q.unique) hits = hits.filter((h, i) => !hits.slice(i + 1).some((x) => x.input === h.input));
        if (n !== undefined) hits = hits.slice(-n);
        break;
      }
      default: {
        // range: [start, stop) in this session; the current session is ours whatever its number.
        const start = Number(q.start ?? 0);
        const stop = q.stop === undefined || q.stop === null ? Infinity : Number(q.stop);
        hits = hits.filter((h) => h.line >= start && h.line < stop);
      }
    }
    return hits.map((h) => [SESSION, h.line, q.output ? [h.input, h.output] : h.input]);
  }
}
