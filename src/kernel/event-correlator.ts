// Which request caused an event. Every DAP message a kernel sends carries the correlation id
// of the request behind it, as `body.__correlation` (a string; clients that do not know it
// ignore an unknown body field):
//   - a response: the id of its own request;
//   - an event a handler sends (initialized, breakpoint, a late client's stopped): its request;
//   - an event of the script (stopped, continued, output, terminated, …): the last request that
//     moved execution — the Jupyter execute_request that ran the cell, or the continue, step,
//     pause, evaluate or interrupt after it — whoever sent it. Each thread has its own: a
//     script the kernel runs (`kernel run`, thread 2 and up) is moved by its runScript request,
//     then by the requests that name its thread; an event naming a thread (`threadId`) carries
//     that thread's cause, any other the interactive session's (thread 1).
// A DAP request's id is its `arguments.__correlation` when the client gives one (a string),
// else `<client id>:<seq>` (`dap-3:12`); a Jupyter request's id is its header's msg_id.
// Events nothing asked for (before the first cell) carry `kernel:<kernel id>`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DebugProtocol as P } from '@vscode/debugprotocol';

export const CORRELATION_FIELD = '__correlation';

/** DAP requests that move the script: what the script emits afterwards is theirs. */
const MOVES_EXECUTION = new Set(['continue', 'next', 'stepIn', 'stepOut', 'pause', 'terminate', 'restart', 'evaluate', 'setVariable', 'setExpression']);

const MAX_CLIENT_ID = 200;

export class EventCorrelator {
  private readonly scope = new AsyncLocalStorage<string>();
  /** What last moved the interactive session (thread 1), and what moved each script thread. */
  private executionCause: string;
  private readonly threadCauses = new Map<number, string>();

  constructor(kernelId: string) {
    this.executionCause = `kernel:${kernelId}`;
  }

  /** The id of a DAP request from `clientId`. */
  static requestId(clientId: string, req: Pick<P.Request, 'seq' | 'arguments'>): string {
    const given = (req.arguments as Record<string, unknown> | undefined)?.[CORRELATION_FIELD];
    if (typeof given === 'string' && given && given.length <= MAX_CLIENT_ID) return given;
    return `${clientId}:${req.seq}`;
  }

  static movesExecution(command: string): boolean {
    return MOVES_EXECUTION.has(command);
  }

  /** Runs `fn` (and everything it awaits) as the work of request `id`. */
  run<T>(id: string, fn: () => T): T {
    return this.scope.run(id, fn);
  }

  /** Request `id` moves a thread (the interactive one by default): its events from now on are the request's. */
  executionMovedBy(id: string, threadId = 1): void {
    if (threadId === 1) this.executionCause = id;
    else this.threadCauses.set(threadId, id);
  }

  /** A thread ended: nothing more of it to tag. */
  forgetThread(threadId: number): void {
    this.threadCauses.delete(threadId);
  }

  /**
   * Runs `fn` outside any request: what it starts (a script's runtime) does not carry the
   * request's id into everything it does later.
   */
  outside<T>(fn: () => T): T {
    return this.scope.exit(fn);
  }

  /** The request whose handling is running now, if any. */
  request(): string | undefined {
    return this.scope.getStore();
  }

  /** The correlation id for an event (of a thread, when it names one) made now. */
  current(threadId?: number): string {
    return this.scope.getStore() ?? (threadId !== undefined ? this.threadCauses.get(threadId) : undefined) ?? this.executionCause;
  }

  /** Adds the correlation id to a DAP response (its request's) or event (the current cause). */
  stamp(message: P.Response | P.Event, clientId: string, req?: P.Request): void {
    const threadId = (message.body as { threadId?: unknown } | undefined)?.threadId;
    const id = req ? EventCorrelator.requestId(clientId, req) : this.current(typeof threadId === 'number' ? threadId : undefined);
    const body = message.body as unknown;
    if (body === undefined || body === null) message.body = { [CORRELATION_FIELD]: id };
    else if (typeof body === 'object' && !Array.isArray(body)) message.body = { ...(body as object), [CORRELATION_FIELD]: id };
  }
}
