// Drives an ExecutionManager on a fixture script and waits for its events.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecutionManager, type StoppedEvent } from '../../src/debug/index.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const debugFixture = (name: string): string => path.join(repoRoot, 'test/fixtures/debug', name);

export class Harness {
  readonly em = new ExecutionManager();
  output = '';
  console = '';
  exitCode: number | null = null;
  private stops: StoppedEvent[] = [];
  private waiters: ((s: StoppedEvent) => void)[] = [];
  private exitWaiters: ((c: number) => void)[] = [];

  constructor() {
    this.em.on('output', (o) => {
      if (o.category === 'console') this.console += o.text;
      else this.output += o.text;
    });
    this.em.on('stopped', (s) => {
      const w = this.waiters.shift();
      if (w) w(s); else this.stops.push(s);
    });
    this.em.on('exited', (code) => {
      this.exitCode = code;
      for (const w of this.exitWaiters.splice(0)) w(code);
    });
  }

  /** The next stop, or a rejection naming what happened instead. */
  nextStop(timeoutMs = 5000): Promise<StoppedEvent> {
    const queued = this.stops.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no stop within ${timeoutMs} ms; output so far: ${this.output}`)), timeoutMs);
      this.waiters.push((s) => { clearTimeout(t); resolve(s); });
      this.exitWaiters.push((code) => { clearTimeout(t); reject(new Error(`script exited (${code}) instead of stopping; output: ${this.output}`)); });
    });
  }

  /** The next stop, or null when the script ends first. */
  async nextStopOrExit(timeoutMs = 5000): Promise<StoppedEvent | null> {
    try {
      return await this.nextStop(timeoutMs);
    } catch (e) {
      if (this.exitCode !== null) return null;
      throw e;
    }
  }

  exited(timeoutMs = 5000): Promise<number> {
    if (this.exitCode !== null) return Promise.resolve(this.exitCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`script did not exit within ${timeoutMs} ms`)), timeoutMs);
      this.exitWaiters.push((c) => { clearTimeout(t); resolve(c); });
    });
  }

  /** Top frame of the current stop as "name:line". */
  async where(): Promise<string> {
    const { frames } = await this.em.stackTrace(0, 1);
    return `${frames[0].name}:${frames[0].line}`;
  }

  /** Locals of the top frame as name → rendered value. */
  async locals(frameId = 1): Promise<Record<string, string>> {
    const scopes = await this.em.scopes(frameId);
    const vars = await this.em.variables(scopes[0].ref);
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  async close(): Promise<void> {
    await this.em.dispose();
  }
}
