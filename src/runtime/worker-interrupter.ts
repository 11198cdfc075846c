// Reaches a worker that is busy running a script, without any standing hook in the script:
// the process's own inspector session asks the worker (NodeWorker domain) to evaluate a tiny
// function, which V8 runs at its next interrupt check, even inside a tight WebAssembly loop.
// That function arms a one-instruction count hook in the VM (decision 3).
import { Session } from 'node:inspector';

/** Functions a worker defines on its globalThis for the main thread to call (worker-main.ts). */
export type WorkerInterruptFunction = '__llmspellInterrupt' | '__llmspellReenter';

type Listener = (params: { sessionId: string; workerInfo: { workerId: string } }) => void;

class WorkerInterrupter {
  private session: Session | null = null;
  private readonly sessions = new Map<number, string>();
  private readonly waiting = new Map<number, (() => void)[]>();
  private nextId = 1;
  private failed = false;

  /** Starts watching workers; call before the worker is created so it is attached at start. */
  ensureStarted(): void {
    if (this.session || this.failed) return;
    try {
      const s = new Session();
      s.connect();
      s.on('NodeWorker.attachedToWorker', ((m: { params: Parameters<Listener>[0] }) => {
        const threadId = Number(m.params.workerInfo.workerId);
        this.sessions.set(threadId, m.params.sessionId);
        for (const fn of this.waiting.get(threadId) ?? []) fn();
        this.waiting.delete(threadId);
      }) as never);
      s.on('NodeWorker.detachedFromWorker', ((m: { params: { sessionId: string } }) => {
        for (const [tid, sid] of this.sessions) if (sid === m.params.sessionId) this.sessions.delete(tid);
      }) as never);
      s.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
      this.session = s;
    } catch {
      this.failed = true; // no inspector in this Node build: pauses wait for the next hook
    }
  }

  /**
   * Asks worker `threadId` to run one of its interrupt functions as soon as it can: the
   * debugger's (pause, requests to a running script) or the interpreter's re-entry
   * (worker/lua/top-level-calls.ts).
   */
  interrupt(threadId: number, fn: WorkerInterruptFunction = '__llmspellInterrupt'): void {
    const send = (): void => {
      const sessionId = this.sessions.get(threadId);
      if (!sessionId || !this.session) return;
      const message = JSON.stringify({ id: this.nextId++, method: 'Runtime.evaluate', params: { expression: `globalThis.${fn} && globalThis.${fn}()` } });
      this.session.post('NodeWorker.sendMessageToWorker', { sessionId, message }, () => undefined);
    };
    if (this.sessions.has(threadId)) send();
    // A re-entry is only worth it now; a worker the inspector never reached must not pile them up.
    else if (fn === '__llmspellReenter' || this.failed) return;
    else {
      const list = this.waiting.get(threadId) ?? [];
      list.push(send);
      this.waiting.set(threadId, list);
    }
  }

  forget(threadId: number): void {
    this.sessions.delete(threadId);
    this.waiting.delete(threadId);
  }
}

export const workerInterrupter = new WorkerInterrupter();
