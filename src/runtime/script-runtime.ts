// The main-thread handle of one script runtime: a worker thread running a script session.
// The layers above (CLI, debugger, kernels) see only this class and the protocol's outcome
// types; they never see the VM, so another script language could sit behind the same API.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ControlBlock, newControlBlock } from './control-block.js';
import type { MainToWorker, RunOutcome, RuntimeOptions, WorkerData, WorkerToMain } from './protocol.js';

export interface ScriptRuntimeEvents {
  output: [stream: 'stdout' | 'stderr', data: Uint8Array];
  /** The worker is gone (terminated or crashed); pending runs were settled as terminated. */
  exit: [];
}

export class ScriptRuntime extends EventEmitter<ScriptRuntimeEvents> {
  readonly control: ControlBlock;
  private readonly worker: Worker;
  private readonly pending = new Map<number, (o: RunOutcome) => void>();
  private nextId = 1;
  private readonly ready: Promise<{ language: string; version: string }>;
  private alive = true;

  constructor(options: Partial<RuntimeOptions> = {}) {
    super();
    const full: RuntimeOptions = {
      cwd: options.cwd ?? process.cwd(),
      env: options.env ?? (process.env as Record<string, string>),
      stdin: options.stdin ?? 'none',
    };
    this.control = new ControlBlock(newControlBlock());
    const data: WorkerData = { options: full, control: this.control.buffer };
    this.worker = new Worker(new URL('./worker/worker-main.js', import.meta.url), { workerData: data, stdout: false, stderr: false });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (msg: WorkerToMain): void => {
        if (msg.type === 'ready') resolve({ language: msg.language, version: msg.version });
        else if (msg.type === 'fatal') reject(new Error(msg.message));
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
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
  runChunk(code: string, name = '=stdin', wantValues = false): Promise<RunOutcome> {
    return this.send((id) => ({ type: 'runChunk', id, code, name, wantValues }));
  }

  /** Ends the runtime wherever the script is, within milliseconds (the worker is terminated). */
  async stop(): Promise<void> {
    if (!this.alive) return;
    await this.worker.terminate();
    this.onGone();
  }

  get isAlive(): boolean { return this.alive; }

  private send(make: (id: number) => MainToWorker): Promise<RunOutcome> {
    if (!this.alive) return Promise.resolve({ status: 'terminated' });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage(make(id));
    });
  }

  private onMessage(msg: WorkerToMain): void {
    switch (msg.type) {
      case 'output':
        this.emit('output', msg.stream, msg.data);
        break;
      case 'result': {
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
    this.emit('exit');
  }
}
