// The scripts a kernel runs beside its interactive session (`llmspell kernel run`). Each runs
// in a runtime worker of its own and is a thread of the kernel's debuggee (thread 1 stays the
// session that runs cells), so debuggers attached to the kernel see it, and stop, step and
// resume it on its own, with the kernel's breakpoints. A script starts at once unless the
// kernel already runs its limit of scripts; then it waits in a queue (first come, first
// started) and starts when one ends. Its output goes to the kernel's log and, as output events
// naming its thread, to the attached debuggers; its end is logged with its exit code.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExecutionManager, type RuntimeThreads } from '../debug/index.js';
import type { RunOutcome } from '../runtime/index.js';

/** Scripts running at once, unless LLMSPELL_MAX_SCRIPTS says otherwise. */
export const DEFAULT_MAX_SCRIPTS = 8;
/** Scripts waiting for a turn; beyond this a request is refused. */
export const MAX_QUEUED_SCRIPTS = 64;

export interface ScriptLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ScriptRequest {
  /** Absolute path of the script. */
  program: string;
  args: string[];
  cwd: string;
}

export interface ScriptInfo {
  threadId: number;
  name: string;
  program: string;
  state: 'running' | 'stopped' | 'queued';
  /** ISO time it started (or was queued). */
  since: string;
}

export interface SubmittedScript {
  threadId: number;
  name: string;
  state: 'running' | 'queued';
  /** Resolves with the exit code once the script has ended (130 if the kernel stopped it). */
  ended: Promise<number>;
}

interface Entry extends ScriptRequest {
  threadId: number;
  name: string;
  since: Date;
  em: ExecutionManager | null;
  done: (code: number) => void;
}

export class ScriptRefused extends Error {}

/** The limit of scripts at once: LLMSPELL_MAX_SCRIPTS (a whole number, 1 or more), else the default. */
export function maxScripts(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LLMSPELL_MAX_SCRIPTS;
  if (raw === undefined || raw === '') return DEFAULT_MAX_SCRIPTS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`LLMSPELL_MAX_SCRIPTS=${raw}: use a whole number of scripts, 1 or more`);
  return n;
}

export class KernelScripts {
  private readonly running = new Map<number, Entry>();
  private readonly queue: Entry[] = [];
  private closing = false;

  constructor(private readonly debuggee: RuntimeThreads, private readonly log: ScriptLog, readonly limit = DEFAULT_MAX_SCRIPTS) {}

  /**
   * Starts a script (resolving once it is a thread of the debuggee), or queues it behind the
   * limit; throws ScriptRefused saying why it cannot. `onThread` hears of its thread id before
   * it starts.
   */
  async submit(req: ScriptRequest, onThread?: (threadId: number) => void): Promise<SubmittedScript> {
    if (this.closing) throw new ScriptRefused('the kernel is stopping');
    let stat: fs.Stats;
    try {
      stat = fs.statSync(req.program);
    } catch {
      throw new ScriptRefused(`program not found: ${req.program} (the path is the kernel's: give one the kernel's machine can read)`);
    }
    if (!stat.isFile()) throw new ScriptRefused(`${req.program} is not a file`);
    if (this.running.size >= this.limit && this.queue.length >= MAX_QUEUED_SCRIPTS) {
      throw new ScriptRefused(`the kernel runs ${this.running.size} scripts and ${this.queue.length} wait: try again when some have ended`);
    }
    let done!: (code: number) => void;
    const ended = new Promise<number>((r) => { done = r; });
    const entry: Entry = { ...req, threadId: this.debuggee.newThreadId(), name: path.basename(req.program), since: new Date(), em: null, done };
    onThread?.(entry.threadId);
    if (this.running.size < this.limit) {
      const failed = await this.start(entry);
      if (failed) throw new ScriptRefused(`the script's runtime did not start: ${failed}`);
      return { threadId: entry.threadId, name: entry.name, state: 'running', ended };
    }
    this.queue.push(entry);
    this.log.info({ thread: entry.threadId, script: entry.program, queued: this.queue.length, limit: this.limit }, 'script queued');
    return { threadId: entry.threadId, name: entry.name, state: 'queued', ended };
  }

  /** Starts the script's runtime and makes it a thread; resolves with why it failed, if it did. */
  private async start(entry: Entry): Promise<string | null> {
    entry.since = new Date();
    this.running.set(entry.threadId, entry);
    const em = new ExecutionManager({ threadId: entry.threadId, book: this.debuggee.book });
    entry.em = em;
    const who = { thread: entry.threadId, script: entry.program };
    em.on('output', (o) => this.log.info({ ...who, stream: o.category }, o.text.replace(/\n$/, '')));
    em.once('exited', (code: number, outcome: RunOutcome) => this.finish(entry, code, outcome));
    // Arguments may carry secrets (tokens, passwords): their count is logged, not their text.
    this.log.info({ ...who, argc: entry.args.length, cwd: entry.cwd, running: this.running.size }, 'script started');
    try {
      await em.start({ cwd: entry.cwd, stdin: 'none', debug: true });
      if (this.closing) { await em.dispose(); this.finish(entry, 130, { status: 'terminated' }); return 'the kernel is stopping'; }
      this.debuggee.add(em, entry.name);
      em.runProgram(entry.program, entry.args);
      return null;
    } catch (e) {
      const why = (e as Error).message;
      this.log.error({ ...who, err: why }, 'script could not start');
      await em.dispose().catch(() => undefined);
      this.finish(entry, 1, { status: 'error', kind: 'runtime', message: why });
      return why;
    }
  }

  private finish(entry: Entry, code: number, outcome: RunOutcome): void {
    if (!this.running.delete(entry.threadId)) return;
    const how = outcome.status === 'error' ? { error: outcome.message } : { outcome: outcome.status };
    this.log.info({ thread: entry.threadId, script: entry.program, exitCode: code, ...how, seconds: (Date.now() - entry.since.getTime()) / 1000 }, 'script ended');
    entry.done(code);
    const next = this.closing ? undefined : this.queue.shift();
    if (next) void this.start(next);
  }

  /** Running, stopped and queued scripts, for status. */
  list(): ScriptInfo[] {
    const running = [...this.running.values()].map((e) => ({
      threadId: e.threadId, name: e.name, program: e.program, state: e.em?.isStopped ? 'stopped' as const : 'running' as const, since: e.since.toISOString(),
    }));
    const queued = this.queue.map((e) => ({ threadId: e.threadId, name: e.name, program: e.program, state: 'queued' as const, since: e.since.toISOString() }));
    return [...running, ...queued];
  }

  /**
   * Ends every script (SIGQUIT): queued ones never start, running ones are terminated; the
   * kernel goes on and takes new ones. Returns how many were running and queued.
   */
  stopAll(): { running: number; queued: number } {
    const queued = this.queue.splice(0);
    for (const e of queued) {
      this.log.info({ thread: e.threadId, script: e.program }, 'queued script cancelled');
      e.done(130);
    }
    const running = [...this.running.values()];
    for (const e of running) void e.em?.terminate().catch(() => undefined);
    return { running: running.length, queued: queued.length };
  }

  /** The kernel is stopping: queued scripts never start, running ones are ended. */
  async close(): Promise<void> {
    this.closing = true;
    for (const e of this.queue.splice(0)) e.done(130);
    await Promise.all([...this.running.values()].map((e) => e.em?.terminate().catch(() => undefined)));
  }
}
