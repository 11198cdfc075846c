// The main-thread handle of one script runtime: a worker thread running a script session.
// The layers above (CLI, debugger, kernels) see only this class and the protocol's outcome
// types; they never see the VM, so another script language could sit behind the same API.
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ControlBlock, newControlBlock } from './control-block.js';
import type { CodeCacheStatus } from './code-cache.cjs';
import type { DebugCommandName, DebugCommands, DebugEvent } from './debug-protocol.js';
import type { Completeness, MainToWorker, RunOutcome, RuntimeOptions, WorkerData, WorkerToMain } from './protocol.js';
import { CONTROL, RuntimeState } from './control-block.js';
import { workerInterrupter } from './worker-interrupter.js';
import { scheduleReentry, type ReentrySchedule } from './reentry-schedule.js';
import { StdinPump } from './stdin-pump.js';

/**
 * The worker's loader, which runs its modules bundled by `npm run build` (scripts/bundle.mjs)
 * from V8's code cache: it starts sooner. The path holds from dist/src/runtime and from the
 * CLI's bundle in dist/src/cli-bundle alike.
 */
const WORKER_ENTRY = new URL('../runtime/worker-loader.cjs', import.meta.url);

export interface ScriptRuntimeEvents {
  output: [stream: 'stdout' | 'stderr', data: Uint8Array];
  /** The worker is gone (terminated or crashed); pending runs were settled as terminated. */
  exit: [];
  /** The debugger in the worker reports (stops, breakpoint changes, log points, ...). */
  debug: [event: DebugEvent];
}

export class ScriptRuntime extends EventEmitter<ScriptRuntimeEvents> {
  readonly control: ControlBlock;
  private readonly worker: Worker;
  private readonly pending = new Map<number, (o: RunOutcome) => void>();
  private readonly completeness = new Map<number, (r: { status: Completeness; message?: string }) => void>();
  private readonly codeCacheSaves = new Map<number, (error?: string) => void>();
  private nextId = 1;
  private readonly ready: Promise<{ language: string; version: string }>;
  private alive = true;
  private readonly debugPort: MessagePort;
  private readonly stdinPort: MessagePort;
  /** Answers io.read in 'request' mode: a line, or null for end of input. */
  inputProvider: (() => Promise<string | null>) | null = null;
  private readonly stdinPump: StdinPump | null;
  private readonly threadId: number;
  private readonly debugPending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextDebugId = 1;
  /** Whether this runtime's VM supports the debugger (known once started). */
  debuggable = false;
  /** Whether the worker's code came from the build's code cache (src/runtime/code-cache.cts); known once started. */
  codeCache: CodeCacheStatus | null = null;

  /** `stdinStream` replaces this process's stdin for the 'inherit' mode (a debuggee's own terminal). */
  constructor(options: Partial<RuntimeOptions> = {}, stdinStream?: Readable) {
    super();
    const full: RuntimeOptions = {
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? (process.env as Record<string, string>),
      stdin: options.stdin ?? 'none',
      debugger: options.debugger ?? true,
    };
    this.control = new ControlBlock(newControlBlock());
    this.stdinPump = full.stdin === 'inherit' ? new StdinPump(stdinStream ?? process.stdin) : null;
    const channel = new MessageChannel();
    this.debugPort = channel.port1;
    this.debugPort.unref();
    const stdinChannel = new MessageChannel();
    this.stdinPort = stdinChannel.port1;
    this.stdinPort.unref();
    const data: WorkerData = { options: full, control: this.control.buffer, debugPort: channel.port2, stdinPort: stdinChannel.port2 };
    workerInterrupter.ensureStarted();
    this.worker = new Worker(WORKER_ENTRY, { workerData: data, transferList: [channel.port2, stdinChannel.port2], stdout: false, stderr: false });
    this.threadId = this.worker.threadId;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: WorkerToMain): void => {
        if (msg.type === 'ready') { this.debuggable = msg.debuggable; this.codeCache = msg.codeCache; resolve({ language: msg.language, version: msg.version }); }
        else if (msg.type === 'fatal') reject(new Error(msg.message));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      // Stopped (Ctrl-C) while it was still booting: say so rather than never settling.
      this.worker.once('exit', () => reject(new Error('the runtime ended before it was ready')));
    });
    this.ready.catch(() => undefined); // reported to whoever calls start(); nobody else must see it
    this.worker.on('message', (msg: WorkerToMain) => this.onMessage(msg));
    this.worker.on('error', () => this.onGone());
    this.worker.on('exit', () => this.onGone());
  }

  /** Resolves once the VM is up; rejects with a readable message if it cannot start. */
  async start(): Promise<{ language: string; version: string }> {
    return this.ready;
  }

  runFile(path: string, args: string[] = []): Promise<RunOutcome> {
    return this.send((id) => ({ type: 'runFile', id, path, args }));
  }

  /** Runs code in the persistent session; with wantValues an expression's values come back as text. */
  runChunk(code: string, name = '=stdin', wantValues = false, args?: string[]): Promise<RunOutcome> {
    return this.send((id) => ({ type: 'runChunk', id, code, name, wantValues, args }));
  }

  /** Ends the runtime wherever the script is, within milliseconds (the worker is terminated). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    await this.worker.terminate();
    this.onGone();
  }

  /**
   * Whether this runtime's worker keeps the process alive (it does from the start). A runtime
   * started ahead of need (prestart.ts) does not, so a process that never uses it still exits.
   */
  keepProcessAlive(keep: boolean): void {
    if (keep) this.worker.ref();
    else this.worker.unref();
  }

  get isAlive(): boolean { return this.alive; }

  get state(): RuntimeState { return this.control.state; }

  /**
   * How often the worker re-entered Lua's interpreter loop during the runs that have ended (so a
   * long script moves to V8's optimised code: worker/lua/top-level-calls.ts). For diagnostics.
   */
  get reentries(): number { return this.reentryCount; }
  private reentryCount = 0;
  /** Re-entry requests for the run in progress. */
  private reentry: ReentrySchedule | null = null;

  /**
   * Sends a request to the debugger in the worker. A running script is interrupted so the
   * request is served within milliseconds; a stopped one is woken from its wait.
   */
  debugRequest<K extends DebugCommandName>(cmd: K, args: DebugCommands[K]['args']): Promise<DebugCommands[K]['result']> {
    if (!this.alive) return Promise.reject(new Error('the script has ended'));
    const id = this.nextDebugId++;
    return new Promise((resolve, reject) => {
      this.debugPending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.debugPort.postMessage({ type: 'debug', id, cmd, args });
      this.control.wake();
      if (this.control.state === RuntimeState.Running) workerInterrupter.interrupt(this.threadId);
    });
  }

  /** Stops the running chunk with an "interrupted!" error, keeping the session (Ctrl-C in a REPL). */
  interrupt(): void {
    if (!this.alive || this.control.state !== RuntimeState.Running) return;
    this.control.setFlag(CONTROL.interruptRequested, true);
    this.control.wake(); // a script waiting for input notices at once
    workerInterrupter.interrupt(this.threadId);
  }

  /** Whether code is a whole chunk, needs more lines, or cannot compile. */
  checkComplete(code: string): Promise<{ status: Completeness; message?: string }> {
    if (!this.alive) return Promise.resolve({ status: 'invalid', message: 'the runtime has ended' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.completeness.set(id, resolve);
      this.worker.postMessage({ type: 'checkComplete', id, code } satisfies MainToWorker);
    });
  }

  /**
   * Writes V8's code cache of the worker's bundle, with what this runtime has compiled so far
   * (src/runtime/code-cache.cts). Only the build calls it, after a training run.
   */
  saveCodeCache(): Promise<void> {
    if (!this.alive) return Promise.reject(new Error('the runtime has ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.codeCacheSaves.set(id, (error) => (error ? reject(new Error(error)) : resolve()));
      this.worker.postMessage({ type: 'saveCodeCache', id } satisfies MainToWorker);
    });
  }

  /** Asks a running script to stop at its next instruction (a 'pause' stop event follows). */
  requestPause(): void {
    if (!this.alive || this.control.state !== RuntimeState.Running) return;
    this.control.setFlag(CONTROL.pauseRequested, true);
    workerInterrupter.interrupt(this.threadId);
  }

  private send(make: (id: number) => MainToWorker): Promise<RunOutcome> {
    if (!this.alive) return Promise.resolve({ status: 'terminated' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const reentry = scheduleReentry(() => {
        if (this.alive && this.control.state === RuntimeState.Running) workerInterrupter.interrupt(this.threadId, '__llmspellReenter');
      });
      this.reentry = reentry;
      this.pending.set(id, (outcome) => {
        reentry.stop();
        if (this.reentry === reentry) this.reentry = null;
        resolve(outcome);
      });
      this.worker.postMessage(make(id));
    });
  }

  private onMessage(msg: WorkerToMain): void {
    switch (msg.type) {
      case 'output':
        this.emit('output', msg.stream, msg.data);
        break;
      case 'debugEvent':
        if (msg.event.kind === 'continued') this.reentry?.restart();
        this.emit('debug', msg.event);
        break;
      case 'debugReply': {
        const p = this.debugPending.get(msg.id);
        this.debugPending.delete(msg.id);
        if (p) { if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.error)); }
        break;
      }
      case 'inputRequest': {
        const provider = this.inputProvider;
        const answer: Promise<string | Uint8Array | null> = this.stdinPump ? this.stdinPump.next() : provider ? provider() : Promise.resolve(null);
        void answer.catch(() => null).then((line) => {
          if (!this.alive) return;
          this.stdinPort.postMessage(line);
          this.control.wake();
        });
        break;
      }
      case 'completeness': {
        const done = this.completeness.get(msg.id);
        this.completeness.delete(msg.id);
        done?.({ status: msg.status, message: msg.message });
        break;
      }
      case 'codeCacheSaved': {
        const done = this.codeCacheSaves.get(msg.id);
        this.codeCacheSaves.delete(msg.id);
        done?.(msg.error);
        break;
      }
      case 'result': {
        this.reentryCount = msg.reentries;
        const settle = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        settle?.(msg.outcome);
        break;
      }
      default:
        break;
    }
  }

  private onGone(): void {
    if (!this.alive) return;
    this.alive = false;
    for (const settle of this.pending.values()) settle({ status: 'terminated' });
    this.pending.clear();
    for (const p of this.debugPending.values()) p.reject(new Error('the script has ended'));
    this.debugPending.clear();
    for (const done of this.completeness.values()) done({ status: 'invalid', message: 'the runtime has ended' });
    this.completeness.clear();
    for (const done of this.codeCacheSaves.values()) done('the runtime has ended');
    this.codeCacheSaves.clear();
    workerInterrupter.forget(this.threadId);
    this.debugPort.close();
    this.stdinPort.close();
    this.stdinPump?.stop();
    this.emit('exit');
  }
}
