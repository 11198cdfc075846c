// Lines from the terminal (readline: history, completion, Ctrl-C) or from a pipe, handed out
// one at a time so a piped session runs its commands in order, each after the last finished.
import * as readline from 'node:readline';

export interface LineReaderOptions {
  prompt: string;
  completer?: (line: string) => Promise<[string[], string]>;
  onInterrupt: () => void;
}

export class LineReader {
  readonly tty: boolean;
  private readonly rl: readline.Interface;
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private ended = false;

  constructor(private readonly opts: LineReaderOptions) {
    this.tty = !!process.stdin.isTTY && !!process.stdout.isTTY;
    this.rl = readline.createInterface({
      input: process.stdin,
      output: this.tty ? process.stdout : undefined,
      terminal: this.tty,
      historySize: 500,
      completer: this.tty && opts.completer
        ? (line: string, cb: (err: null, r: [string[], string]) => void) => { void opts.completer!(line).then((r) => cb(null, r), () => cb(null, [[], line])); }
        : undefined,
    });
    this.rl.on('line', (line) => {
      if (this.waiter) { const w = this.waiter; this.waiter = null; w(line); } else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      if (this.waiter) { const w = this.waiter; this.waiter = null; w(null); }
    });
    this.rl.on('SIGINT', () => opts.onInterrupt());
    if (!this.tty) process.on('SIGINT', () => opts.onInterrupt());
  }

  /** The next line, or null at end of input. */
  next(prompt = this.opts.prompt): Promise<string | null> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(null);
    if (this.tty) { this.rl.setPrompt(prompt); this.rl.prompt(); }
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  print(text: string): void {
    if (this.tty) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${text}\n`);
  }

  close(): void {
    this.rl.close();
  }
}
