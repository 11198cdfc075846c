// Colours on a terminal, plain text through pipes.
export interface Style {
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (code: number) => (s: string): string => `\x1b[${code}m${s}\x1b[0m`;

export function styleFor(tty: boolean): Style {
  if (!tty) {
    const id = (s: string): string => s;
    return { dim: id, bold: id, red: id, green: id, yellow: id, cyan: id };
  }
  return { dim: wrap(2), bold: wrap(1), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
}
