// A queue that can be waited on without taking from it, so a loop can wait for whichever of
// several sources (lines, stops, the end of a run) has something first.
export class Mailbox<T> {
  private readonly items: T[] = [];
  private waiters: (() => void)[] = [];
  private closedFlag = false;

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Puts items back at the front, in order (lines read ahead and not used). */
  unshift(items: T[]): void {
    if (!items.length) return;
    this.items.unshift(...items);
    this.wake();
  }

  /** No more items will come; waiting ends. */
  close(): void {
    this.closedFlag = true;
    this.wake();
  }

  get closed(): boolean { return this.closedFlag; }
  get size(): number { return this.items.length; }

  take(): T | undefined {
    return this.items.shift();
  }

  /** Resolves once an item is queued or the mailbox is closed. */
  ready(): Promise<void> {
    if (this.items.length || this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
