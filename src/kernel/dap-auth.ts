// Authentication on a kernel's dap_port. A connection is answered nothing but `initialize`
// until an `attach` carries the kernel's key (the connection file's `key`) as `token`; any
// other request is refused with an error response. Tokens are compared in constant time (both
// sides hashed first, so neither length nor content leaks). Refusals are logged and
// rate-limited: a connection is closed after MAX_FAILURES refusals, and every failed attach
// anywhere pushes back the next attempt on any connection (global backoff, doubling up to
// MAX_BACKOFF_MS, forgotten after a quiet minute). A connection that has not authenticated
// within AUTH_TIMEOUT_MS is closed. The backoff must not become a lock-out: a connection has
// one attempt checked at a time, at most MAX_WAITING attempts wait anywhere (more are refused
// at once, to retry), and an attempt whose connection has gone is dropped when its turn comes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { DapError, DapErrorCode, type DapSession } from '../dap/index.js';

export const MAX_FAILURES = 5;
export const AUTH_TIMEOUT_MS = 30_000;
const BASE_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2000;
const FAILURE_WINDOW_MS = 60_000;
/** Attempts that may wait for their turn at once (all endpoints together). */
export const MAX_WAITING = 8;
/** The largest message an unauthenticated client may send (an attach is a few hundred bytes). */
export const UNAUTHENTICATED_MAX_MESSAGE = 64 * 1024;

const HOW_TO = "send 'attach' with the kernel's key (the \"key\" of its connection file) as 'token'; `llmspell dap` with connectionFile or kernelId does this for editors";

/** Whether `token` is the key, in time that does not depend on where they differ. */
export function tokenMatches(token: unknown, key: string): boolean {
  if (typeof token !== 'string') return false;
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(token), digest(key));
}

/** Global backoff: each failed attach delays the next attempt (on any connection) a little more. */
export class AuthThrottle {
  private failures: number[] = [];
  private nextAllowed = 0;
  private queue: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Resolves true when an attempt may be checked (one at a time while backing off), or false at
   * once when MAX_WAITING attempts already wait: the client is told to try again.
   */
  turn(): Promise<boolean> {
    if (this.waiting >= MAX_WAITING) return Promise.resolve(false);
    this.waiting++;
    const mine = this.queue.then(() => {
      const wait = this.nextAllowed - this.now();
      return wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)) : undefined;
    }).then(() => { this.waiting--; return true; });
    this.queue = mine.then(() => undefined);
    return mine;
  }

  /** Records a failure; returns how long the next attempt will wait. */
  failed(): number {
    const now = this.now();
    this.failures = this.failures.filter((t) => now - t < FAILURE_WINDOW_MS);
    this.failures.push(now);
    const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (this.failures.length - 1));
    this.nextAllowed = now + delay;
    return delay;
  }

  get recentFailures(): number {
    const now = this.now();
    return this.failures.filter((t) => now - t < FAILURE_WINDOW_MS).length;
  }
}

export interface AuthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** One connection's authentication state; `admit` is its session's gate. */
export class ConnectionAuth {
  authenticated = false;
  failures = 0;
  private timer: NodeJS.Timeout | null = null;
  /** An attempt of this connection waits or is being checked. */
  private checking = false;
  /** The connection has gone, or is being closed for its refusals. */
  private gone = false;
  /** Told once the client has authenticated (the transport then takes full-size messages). */
  onAuthenticated: () => void = () => undefined;

  constructor(
    private readonly key: string,
    private readonly throttle: AuthThrottle,
    private readonly log: AuthLog,
    private readonly remote: string,
    /** Closes the connection, telling the client why. */
    private readonly close: (why: string) => void,
    /** The requests that may carry the token: a kernel takes `attach`; a DAP server also `launch`. */
    private readonly gates: readonly string[] = ['attach'],
    private readonly howTo: string = HOW_TO,
  ) {
    if (!key) this.authenticated = true; // a kernel without a key has no authentication (loopback only)
    else {
      this.timer = setTimeout(() => {
        if (this.authenticated) return;
        this.log.warn({ remote }, `DAP client did not authenticate within ${AUTH_TIMEOUT_MS / 1000} s: closed`);
        this.close(`no authenticated 'attach' within ${AUTH_TIMEOUT_MS / 1000} s`);
      }, AUTH_TIMEOUT_MS);
      this.timer.unref();
    }
  }

  readonly admit = async (req: P.Request, session: DapSession): Promise<void> => {
    if (this.authenticated || req.command === 'initialize') return;
    if (this.gone) throw new DapError(DapErrorCode.Unauthorized, 'this connection is closing: too many requests were refused');
    if (!this.gates.includes(req.command)) this.refuse(session, `'${req.command}' needs an authenticated client: ${this.howTo}`, 'request before authentication');
    if (this.checking) this.refuse(session, `'${req.command}' refused: another attempt of this connection is being checked; wait for its answer`, `${req.command} refused: an attempt was already being checked`);
    this.checking = true;
    try {
      if (!(await this.throttle.turn())) {
        this.log.warn({ client: session.id, remote: this.remote }, 'DAP attempt refused: too many authentication attempts wait');
        throw new DapError(DapErrorCode.Unauthorized, `'${req.command}' refused: too many authentication attempts are waiting; try again in a few seconds`);
      }
      if (this.gone) throw new DapError(DapErrorCode.Unauthorized, 'the connection has gone');
      const token = (req.arguments as { token?: unknown } | undefined)?.token;
      if (tokenMatches(token, this.key)) {
        this.authenticated = true;
        if (this.timer) clearTimeout(this.timer);
        this.log.info({ client: session.id, remote: this.remote }, 'DAP client authenticated');
        this.onAuthenticated();
        return;
      }
      const delay = this.throttle.failed();
      const what = token === undefined ? 'no token' : 'wrong token';
      this.refuse(session, `'${req.command}' refused: ${what}; ${this.howTo}`, `${req.command} refused: ${what}`, delay);
    } finally {
      this.checking = false;
    }
  };

  private refuse(session: DapSession, message: string, logged: string, backoffMs?: number): never {
    this.failures++;
    this.log.warn({ client: session.id, remote: this.remote, failures: this.failures, ...(backoffMs ? { backoffMs } : {}) }, `DAP ${logged}`);
    if (this.failures >= MAX_FAILURES && !this.gone) {
      this.gone = true;
      this.log.warn({ client: session.id, remote: this.remote }, `DAP client closed after ${MAX_FAILURES} refused requests`);
      // After the refusal's response has gone out.
      setImmediate(() => this.close(`${MAX_FAILURES} requests refused for lack of authentication`));
    }
    throw new DapError(DapErrorCode.Unauthorized, message);
  }

  dispose(): void {
    this.gone = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
