// The SharedArrayBuffer both threads see. The worker blocks on it with Atomics.wait while a
// script is stopped; the main thread writes a flag and notifies, never waiting itself.
export const CONTROL = {
  /** Bumped by the main thread whenever it posts a command for a stopped worker. */
  wake: 0,
  /** Non-zero while the owner asks the script to pause (read by hooks). */
  pauseRequested: 1,
  /** Non-zero once the owner asked for termination. */
  terminateRequested: 2,
  /** RuntimeState of the worker, written by the worker. */
  state: 3,
  /** Non-zero while the owner asks the running chunk to stop with an error (Ctrl-C in a REPL). */
  interruptRequested: 4,
  size: 5,
} as const;

export const enum RuntimeState {
  Starting = 0,
  Idle = 1,
  Running = 2,
  Stopped = 3,
  Dead = 4,
}

export function newControlBlock(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL.size * Int32Array.BYTES_PER_ELEMENT);
}

export class ControlBlock {
  readonly cells: Int32Array;
  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
  }
  get state(): RuntimeState { return Atomics.load(this.cells, CONTROL.state); }
  set state(s: RuntimeState) { Atomics.store(this.cells, CONTROL.state, s); }
  flag(slot: number): boolean { return Atomics.load(this.cells, slot) !== 0; }
  setFlag(slot: number, on: boolean): void { Atomics.store(this.cells, slot, on ? 1 : 0); }
  /** Wakes a worker blocked in waitForWake. */
  wake(): void {
    Atomics.add(this.cells, CONTROL.wake, 1);
    Atomics.notify(this.cells, CONTROL.wake);
  }
  /** Blocks the calling (worker) thread until the next wake or the timeout. */
  waitForWake(seen: number, timeoutMs = Infinity): void {
    Atomics.wait(this.cells, CONTROL.wake, seen, timeoutMs);
  }
  wakeCount(): number { return Atomics.load(this.cells, CONTROL.wake); }
}
