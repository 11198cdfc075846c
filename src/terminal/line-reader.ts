// Lines from the terminal (readline: history, completion, Ctrl-C) or from a pipe, queued so
// that a front end takes them one at a time, each after the last command finished, and can
// wait for a line and for the script at the same time.
import * as readline from 'node:readline';
import { Mailbox } from './mailbox.js';

export interface LineReaderOptions {
  completer?: (line: string) => Promise<[string[], string]>;
  /** Ctrl-C on the terminal, or SIGINT sent to the process when input is a pipe. */
  onInterrupt: () => void;
}

export class LineReader {
  readonly tty: boolean;
  private readonly rl: readline.Interface;
  private readonly lines = new Mailbox<string>();
  private readonly onSigint: () => void;

  constructor(opts: LineReaderOptions) {
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
    this.rl.on('line', (line) => this.lines.push(line));
    this.rl.on('close', () => this.lines.close());
    this.onSigint = () => opts.onInterrupt();
    if (this.tty) this.rl.on('SIGINT', this.onSigint);
    else process.on('SIGINT', this.onSigint);
  }

  /** Shows the prompt (on a terminal; pipes get none). */
  prompt(text: string): void {
    if (!this.tty) return;
    this.rl.setPrompt(text);
    this.rl.prompt(true);
  }

  /** Discards what was typed on the current line (after Ctrl-C). */
  clearLine(): void {
    if (!this.tty) return;
    this.rl.write(null, { ctrl: true, name: 'e' });
    this.rl.write(null, { ctrl: true, name: 'u' });
  }

  /** The next line, or null at end of input. */
  async next(): Promise<string | null> {
    await this.lines.ready();
    return this.take() ?? null;
  }

  /** A line if one is queued; null at end of input; undefined when none has come yet. */
  take(): string | null | undefined {
    const line = this.lines.take();
    if (line !== undefined) return line;
    return this.lines.closed ? null : undefined;
  }

  /** Resolves when a line is queued or input ended. */
  ready(): Promise<void> {
    return this.lines.ready();
  }

  /** Lines read ahead and not used go back, to be read again in order. */
  unread(lines: string[]): void {
    this.lines.unshift(lines);
  }

  print(text: string): void {
    if (this.tty) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${text}\n`);
  }

  close(): void {
    if (!this.tty) process.off('SIGINT', this.onSigint);
    this.rl.close();
  }
}
