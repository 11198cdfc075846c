// Serves the user while something runs under the debugger (a program, a REPL line): stops are
// announced and commands read until one resumes; while the script runs, `.pause` and Ctrl-C act
// at once and any other line waits for the next stop, so a piped session is a script of
// commands that each see the state the one before left.
import type { StoppedEvent } from '../debug/index.js';
import type { Debuggee } from './debuggee.js';
import type { DebugConsole } from './debug-console.js';
import type { LineReader } from './line-reader.js';
import { Mailbox } from './mailbox.js';
import type { Style } from './style.js';

export type ServeResult<T> =
  | { kind: 'finished'; value: T }
  /** `.quit` */
  | { kind: 'quit' }
  /** Input ended while the script was stopped (or Ctrl-D on a terminal). */
  | { kind: 'endOfInput' };

export interface DriverOptions {
  /** Prompt while stopped. */
  prompt: string;
  /** What Ctrl-C does to a running script: stop it in the debugger, or fail the running chunk. */
  ctrlC: 'pause' | 'interrupt';
  print: (text: string) => void;
  style: Style;
  /** Said on a terminal when a line typed while the script runs is kept for later. */
  heldNote?: string;
}

/** How often a pause or interrupt is asked again until it takes (one can fall between two states). */
const RETRY_MS = 100;

export class SessionDriver {
  private readonly stops = new Mailbox<StoppedEvent>();
  /** Wakes a stopped prompt when the script goes on (another client of a kernel resumed it). */
  private readonly resumes = new Mailbox<number>();
  private held: string[] = [];
  private active = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly em: Debuggee, private readonly reader: LineReader, private readonly ui: DebugConsole, private readonly opts: DriverOptions) {
    em.on('stopped', (s) => { this.stopRetry(); this.stops.push(s); });
    em.on('continued', (threadId) => this.resumes.push(threadId));
  }

  /** Whether something is being served (running or stopped). */
  get busy(): boolean { return this.active; }

  /** `.pause`: stops the running script in the debugger; false when nothing runs. */
  pause(): boolean {
    if (!this.active) return false;
    if (!this.em.isStopped) this.askUntilDone(() => this.em.pause());
    return true;
  }

  /** Ctrl-C: pauses (or interrupts) a running script; a note when it is stopped. */
  interrupt(): void {
    if (!this.active) return;
    if (this.em.isStopped) {
      this.opts.print(this.opts.style.dim('(the script is stopped: .continue runs it, .quit ends the session)'));
      return;
    }
    this.askUntilDone(this.opts.ctrlC === 'pause' ? () => this.em.pause() : () => this.em.interrupt());
  }

  /** Serves stops and commands until `work` settles, the user quits, or input ends at a stop. */
  async serve<T>(work: Promise<T>): Promise<ServeResult<T>> {
    const finished = new Mailbox<{ value: T }>();
    void work.then((value) => finished.push({ value }));
    this.active = true;
    try {
      for (;;) {
        const stop = this.stops.take();
        if (stop) {
          const r = await this.serveStop(stop);
          if (r) return r;
          continue;
        }
        const done = finished.take();
        if (done) return { kind: 'finished', value: done.value };
        const line = this.reader.take();
        if (line === null && this.reader.tty) return { kind: 'endOfInput' };
        if (typeof line === 'string') {
          await this.whileRunning(line);
          continue;
        }
        // Piped input that ended: the script runs on; a later stop ends it.
        const waits = [this.stops.ready(), finished.ready()];
        if (line === undefined) waits.push(this.reader.ready());
        await Promise.race(waits);
      }
    } finally {
      this.active = false;
      this.stopRetry();
      this.reader.unread(this.held.splice(0));
    }
  }

  private async whileRunning(line: string): Promise<void> {
    // Through a pipe lines keep their order: `.pause` acts at once only when no line waits before it.
    if (this.ui.actsWhileRunning(line) && (this.reader.tty || !this.held.length)) { await this.ui.command(line); return; }
    this.held.push(line);
    if (this.reader.tty && line.trim() && this.opts.heldNote) this.opts.print(this.opts.style.dim(this.opts.heldNote));
  }

  /** Announces a stop and runs commands until one resumes the script; a result ends serving. */
  private async serveStop(stop: StoppedEvent): Promise<ServeResult<never> | null> {
    // Another client of a kernel may have resumed it before we got here.
    if (!this.em.isStopped) return null;
    await this.ui.announceStop(stop);
    for (;;) {
      let line = this.held.shift();
      if (line === undefined) {
        this.reader.prompt(this.opts.prompt);
        while (this.resumes.take() !== undefined) { /* isStopped below says whether one matters */ }
        if (this.em.isStopped) await Promise.race([this.reader.ready(), this.resumes.ready()]);
        if (!this.em.isStopped) {
          this.opts.print(this.opts.style.dim('(resumed by another client)'));
          return null;
        }
        const next = this.reader.take();
        if (next === undefined) continue;
        if (next === null) return { kind: 'endOfInput' };
        line = next;
      }
      if (!line.trim()) continue;
      if (!this.ui.isCommand(line)) { await this.ui.evaluate(line); continue; }
      const r = await this.ui.command(line);
      if (r === 'quit') return { kind: 'quit' };
      if (r === 'resumed') return null;
    }
  }

  private askUntilDone(ask: () => void): void {
    this.stopRetry();
    ask();
    this.retry = setInterval(() => {
      if (!this.active || this.em.isStopped) this.stopRetry();
      else ask();
    }, RETRY_MS);
  }

  private stopRetry(): void {
    if (this.retry) clearInterval(this.retry);
    this.retry = null;
  }
}
