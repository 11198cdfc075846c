// Hit conditions as users write them in editors: "N" (the Nth hit), ">= N", "> N", "% N"
// (every Nth), plus "== N", "<= N" and "< N".
export type HitTest = (hits: number) => boolean;

export function parseHitCondition(text: string): HitTest | string {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return `invalid hit condition '${text}': use N, >= N, > N, < N, <= N, == N or % N`;
  const n = Number(m[2]);
  switch (m[1]) {
    case undefined:
    case '==': return (h) => h === n;
    case '>=': return (h) => h >= n;
    case '>': return (h) => h > n;
    case '<=': return (h) => h <= n;
    case '<': return (h) => h < n;
    case '%': return n === 0 ? () => false : (h) => h % n === 0;
    default: return `invalid hit condition '${text}'`;
  }
}

/** Splits a log message into literal text and `{expression}` parts ("{{" and "}}" are braces). */
export function parseLogMessage(text: string): ({ text: string } | { expr: string })[] {
  const parts: ({ text: string } | { expr: string })[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '{') { lit += '{'; i++; continue; }
    if (c === '}' && text[i + 1] === '}') { lit += '}'; i++; continue; }
    if (c === '{') {
      let depth = 1;
      let j = i + 1;
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth++;
        else if (text[j] === '}') depth--;
        j++;
      }
      if (depth > 0) { lit += text.slice(i); break; }
      if (lit) parts.push({ text: lit });
      lit = '';
      parts.push({ expr: text.slice(i + 1, j - 1) });
      i = j - 1;
      continue;
    }
    lit += c;
  }
  if (lit) parts.push({ text: lit });
  return parts;
}
