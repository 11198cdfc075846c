// Every debugger client of a kernel — DAP over TCP (on dap_port), DAP through `llmspell dap`'s
// stdio proxy, the Jupyter debugger on the control channel — is a DapSession the router opens.
// The router is the only listener on the kernel's debuggee for them (its interactive runtime,
// thread 1, and a thread per script it runs): it hands each attached client the events it
// subscribed to (stopped, continued, output, thread and terminated are always among them), each stamped with the request that caused it (EventCorrelator). Requests
// are answered by the client's own session, to that client alone. Breakpoints are per client
// (the ExecutionManager keeps the union); a client that goes away is forgotten with its
// breakpoints, and a script stopped with no debugger left goes on.
import { EventEmitter } from 'node:events';
import { DapSession, type DapTransport, type SessionHooks } from '../dap/index.js';
import type { Breakpoint, ExecutionManager, RuntimeThreads, ThreadEvents } from '../debug/index.js';
import { EventCorrelator } from './event-correlator.js';
import { KernelTarget } from './kernel-target.js';
import type { KernelScripts } from './kernel-scripts.js';
import { SharedBreakpoints, type SharedChange } from './shared-breakpoints.js';

export type ClientKind = 'dap-tcp' | 'dap-stdio' | 'dap-websocket' | 'terminal' | 'jupyter';
export type ExecutionEventName = keyof ThreadEvents;

export const EXECUTION_EVENTS: readonly ExecutionEventName[] = ['stopped', 'continued', 'output', 'breakpoint', 'loadedSource', 'exited', 'terminated', 'thread'];
/** What `kernel connect --debug` says it is in its attach (`proxiedBy`). */
export const TERMINAL_CLIENT = 'llmspell kernel connect --debug';
/** What every attached client sees, whatever else it subscribed to. */
export const REQUIRED_EVENTS: readonly ExecutionEventName[] = ['stopped', 'continued', 'output', 'terminated', 'thread'];

export interface RouterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ClientOptions {
  kind: ClientKind;
  /** The peer's address, for logs and status. */
  remote?: string;
  /** Refuses requests until the client is authenticated (dap_port). */
  admit?: SessionHooks['admit'];
  /** Called when the client has attached (the Jupyter debugger reports isStarted). */
  onAttach?: () => void;
}

/** One attached client, as status dumps and `kernel list` show it. */
export interface ClientInfo {
  id: string;
  kind: ClientKind;
  remote?: string;
  attachedAt: string;
  subscriptions: ExecutionEventName[];
  /** Source breakpoints this client has set. */
  breakpoints: number;
}

class Client {
  /** The events the router hands this client; its session binds to this, not to the ExecutionManager. */
  readonly events = new EventEmitter<ThreadEvents>();
  readonly attachedAt = new Date();
  constructor(readonly session: DapSession, public kind: ClientKind, readonly remote: string | undefined, readonly subscriptions: Set<ExecutionEventName>) {}
}

export class MessageRouter {
  readonly correlator: EventCorrelator;
  /** Breakpoints set from the CLI or the fleet: every client hears of them. */
  readonly shared: SharedBreakpoints;
  /** Attached clients by session id. */
  private readonly clients = new Map<string, Client>();
  /** Every open session, attached or not (so shutdown reaches them all). */
  private readonly sessions = new Set<DapSession>();
  private readonly options = new Map<DapSession, ClientOptions>();
  private closing = false;
  /** Runs scripts as threads of the debuggee (`llmspell kernel run`), where the kernel does. */
  scripts: KernelScripts | null = null;

  constructor(
    readonly debuggee: RuntimeThreads,
    private readonly log: RouterLog,
    /** Stops the running cell: what a debugger's `terminate` means in a kernel. */
    readonly interrupt: () => void,
    kernelId: string,
  ) {
    this.correlator = new EventCorrelator(kernelId);
    this.shared = new SharedBreakpoints(debuggee, (change, bp) => { for (const c of this.clients.values()) this.tellShared(c.session, change, bp); });
    for (const name of EXECUTION_EVENTS) {
      debuggee.on(name, ((...args: unknown[]) => this.route(name, args)) as never);
    }
    debuggee.on('thread', (c) => { if (c.reason === 'exited') setImmediate(() => this.correlator.forgetThread(c.threadId)); });
  }

  /** The kernel's interactive runtime (thread 1). */
  get em(): ExecutionManager {
    return this.debuggee.main;
  }

  /** A session for a new client on `transport`; it becomes a routed client once it attaches. */
  openSession(transport: DapTransport, opts: ClientOptions): DapSession {
    const session = new DapSession(transport, new KernelTarget(this), {
      error: (m) => this.log.error({ client: session.id }, m),
      debug: (m) => this.log.debug({ client: session.id }, m),
    });
    const correlator = this.correlator;
    session.hooks = {
      admit: opts.admit,
      run: (req, s, handle) => {
        const id = EventCorrelator.requestId(s.id, req);
        if (EventCorrelator.movesExecution(req.command)) for (const thread of this.threadsMovedBy(req)) correlator.executionMovedBy(id, thread);
        return correlator.run(id, handle);
      },
      stamp: (message, s, req) => correlator.stamp(message, s.id, req),
    };
    session.sharedBreakpointId = (id) => this.shared.clientId(id);
    this.sessions.add(session);
    this.options.set(session, opts);
    this.log.debug({ client: session.id, kind: opts.kind, remote: opts.remote }, 'debugger client connected');
    return session;
  }

  /** Called by the session's target on `attach`: from now on the client gets the script's events. */
  attachClient(session: DapSession, args: Record<string, unknown>): Client {
    const opts = this.options.get(session) ?? { kind: 'dap-tcp' };
    // `llmspell dap` says it is a stdio proxy for an editor; `kernel connect --debug` that it is a terminal.
    const kind: ClientKind = opts.kind !== 'dap-tcp' ? opts.kind : args.proxiedBy === 'llmspell dap' ? 'dap-stdio' : args.proxiedBy === TERMINAL_CLIENT ? 'terminal' : opts.kind;
    const client = new Client(session, kind, opts.remote, new Set(EXECUTION_EVENTS));
    this.clients.set(session.id, client);
    this.log.info({ client: session.id, kind, remote: opts.remote, clients: this.clients.size }, 'debugger client attached');
    opts.onAttach?.();
    for (const bp of this.shared.announced()) this.tellShared(session, 'new', bp);
    return client;
  }

  private tellShared(session: DapSession, change: SharedChange, bp: Breakpoint): void {
    session.sendEvent('breakpoint', { reason: change, breakpoint: session.toDapBreakpoint(bp) });
  }

  /** The events a client's session binds to. */
  eventsOf(session: DapSession): EventEmitter<ThreadEvents> {
    const client = this.clients.get(session.id);
    if (!client) throw new Error(`client ${session.id} is not attached`);
    return client.events;
  }

  /** Narrows what a client receives; the required events stay. */
  subscribe(session: DapSession, events: ExecutionEventName[]): void {
    const client = this.clients.get(session.id);
    if (!client) return;
    client.subscriptions.clear();
    for (const e of [...REQUIRED_EVENTS, ...events]) client.subscriptions.add(e);
  }

  /**
   * A session ended (disconnected, killed, network lost): an attached client's breakpoints go
   * with it, and a script stopped with no debugger left to resume it goes on.
   */
  async sessionEnded(session: DapSession): Promise<void> {
    this.sessions.delete(session);
    this.options.delete(session);
    const client = this.clients.get(session.id);
    if (!client) return;
    // Ended from a request's handling (its disconnect), or by the connection going away.
    const request = this.correlator.request();
    const why = this.closing ? 'kernel stopping' : request ? 'disconnected' : 'connection lost';
    this.clients.delete(session.id);
    client.events.removeAllListeners();
    this.log.info({ client: session.id, kind: client.kind, why, clients: this.clients.size }, 'debugger client removed');
    await this.debuggee.removeOwner(session.id).catch((e: Error) => this.log.warn({ client: session.id, err: e.message }, 'removing its breakpoints failed'));
    const stopped = this.debuggee.stoppedThreads().filter((em) => !em.hasEnded);
    if (this.clients.size === 0 && stopped.length && !this.closing) {
      // Caused by the disconnect request when there was one, else by the client's departure.
      const id = request ?? `${session.id}:gone`;
      this.correlator.executionMovedBy(id);
      this.log.info({ client: session.id, threads: stopped.map((em) => em.threadId) }, 'no debugger left: the stopped script goes on');
      for (const em of stopped) this.correlator.executionMovedBy(id, em.threadId);
      for (const em of stopped) await this.correlator.run(id, () => em.continue()).catch(() => undefined);
    }
  }

  /**
   * The threads a request moves: the one it names (by threadId, or by the frame it evaluates
   * in), and with a continue or step that is not singleThread every other stopped thread too.
   */
  private threadsMovedBy(req: { command: string; arguments?: unknown }): number[] {
    const args = (req.arguments ?? {}) as { threadId?: unknown; frameId?: unknown; singleThread?: unknown };
    let thread = 1;
    if (typeof args.threadId === 'number') thread = args.threadId;
    else if (typeof args.frameId === 'number') {
      try { thread = this.debuggee.frames.toLocal(args.frameId).threadId; } catch { /* an unknown frame moves nothing of a script */ }
    }
    const resumesOthers = ['continue', 'next', 'stepIn', 'stepOut'].includes(req.command) && args.singleThread !== true;
    const others = resumesOthers ? this.debuggee.stoppedThreads().map((em) => em.threadId).filter((t) => t !== thread) : [];
    return [thread, ...others];
  }

  private route(name: ExecutionEventName, args: unknown[]): void {
    for (const client of this.clients.values()) {
      if (!client.subscriptions.has(name)) continue;
      try {
        (client.events.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args);
      } catch (e) {
        this.log.error({ client: client.session.id, event: name, err: (e as Error).message }, 'delivering an event failed');
      }
    }
  }

  /** The attached clients, for status dumps and listings. */
  list(): ClientInfo[] {
    const counts = new Map<string, number>();
    for (const b of this.debuggee.breakpointList()) counts.set(b.owner, (counts.get(b.owner) ?? 0) + 1);
    return [...this.clients.values()].map((c) => ({
      id: c.session.id, kind: c.kind, remote: c.remote, attachedAt: c.attachedAt.toISOString(),
      subscriptions: [...c.subscriptions], breakpoints: counts.get(c.session.id) ?? 0,
    }));
  }

  /** Clients, breakpoints (with their owners) and the script's state, for SIGUSR1's dump. */
  status(): { clients: ClientInfo[]; connections: number; stopped: boolean; running: boolean; breakpoints: { owner: string; source?: string; line?: number; verified: boolean }[] } {
    return {
      clients: this.list(),
      connections: this.sessions.size,
      stopped: this.em.isStopped,
      running: this.em.isRunning,
      breakpoints: this.debuggee.breakpointList().map((b) => ({ owner: b.owner, source: b.bp.source, line: b.bp.line, verified: b.bp.verified })),
    };
  }

  /** The kernel is stopping: every attached client is told (terminated), every session ends. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const client of this.clients.values()) client.session.sendEvent('terminated', {});
    await Promise.all([...this.sessions].map((s) => s.end()));
  }
}
