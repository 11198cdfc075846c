// Frame ids and variable references as a debuggee with several runtimes hands them out. Each
// runtime's worker numbers its own from 1, so two scripts stopped at once both have a frame 1
// and a reference 1. Here each id given out names one thread's object: the main thread's ids
// pass through unchanged (a single-runtime debuggee's ids are its worker's own, as before),
// other threads' ids are allocated from FIRST_SCOPED_ID up and forgotten when their thread
// resumes (their worker's ids die then too).
import { MAIN_THREAD_ID } from './execution-manager.js';

/** Ids from here up belong to threads other than the main one. */
export const FIRST_SCOPED_ID = 1_000_000_000;
/** The largest id handed out: DAP clients may hold ids in 32-bit integers. */
export const LAST_SCOPED_ID = 2 ** 31 - 1;

export interface ScopedId {
  threadId: number;
  /** The id as the thread's worker knows it. */
  local: number;
}

export class ThreadScopedIds {
  private readonly byId = new Map<number, ScopedId>();
  /** thread → worker id → id handed out */
  private readonly byThread = new Map<number, Map<number, number>>();
  private next = FIRST_SCOPED_ID;

  /** `what` names the ids in error messages ("frame", "variable reference"). */
  constructor(private readonly what: string, private readonly mainThreadId = MAIN_THREAD_ID) {}

  /** The id to hand out for a thread's worker id. 0 (no reference) stays 0. */
  toGlobal(threadId: number, local: number): number {
    if (local === 0) return 0;
    if (threadId === this.mainThreadId) {
      if (local >= FIRST_SCOPED_ID) throw new Error(`${this.what} ${local} of thread ${threadId} is beyond the ids a debuggee with several threads can tell apart`);
      return local;
    }
    const known = this.byThread.get(threadId)?.get(local);
    if (known !== undefined) return known;
    const id = this.allocate();
    this.byId.set(id, { threadId, local });
    const mine = this.byThread.get(threadId) ?? new Map<number, number>();
    mine.set(local, id);
    this.byThread.set(threadId, mine);
    return id;
  }

  /** The thread and worker id an id handed out stands for; throws when it names nothing live. */
  toLocal(id: number): ScopedId {
    if (id < FIRST_SCOPED_ID) return { threadId: this.mainThreadId, local: id };
    const found = this.byId.get(id);
    if (!found) throw new Error(`${this.what} ${id} is not valid (it lasts only until its thread resumes)`);
    return found;
  }

  /** The thread resumed or ended: its ids name nothing any more. */
  forget(threadId: number): void {
    const mine = this.byThread.get(threadId);
    if (!mine) return;
    for (const id of mine.values()) this.byId.delete(id);
    this.byThread.delete(threadId);
  }

  /** How many ids are live (for tests and status). */
  get size(): number {
    return this.byId.size;
  }

  private allocate(): number {
    // After 2^31 - 1 the count starts again, skipping ids still in use.
    for (;;) {
      const id = this.next;
      this.next = id >= LAST_SCOPED_ID ? FIRST_SCOPED_ID : id + 1;
      if (!this.byId.has(id)) return id;
    }
  }
}
