// One DAP client's session: answers each request through the handler table and turns the
// ExecutionManager's events into DAP events. The same code serves stdio, TCP and the Jupyter
// control channel: it only sees a DapTransport. Events caused by a request go out after its
// response.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as path from 'node:path';
import type { Breakpoint, OutputEvent, RuntimeThreads, StoppedEvent, ThreadChange, ThreadEvents } from '../debug/index.js';
import type { EventEmitter } from 'node:events';
import { ClientBreakpoints } from './client-breakpoints.js';
import { DapError, DapErrorCode } from './errors.js';
import { describeMessage } from './message-text.js';
import { handlers } from './handlers/index.js';
import { toLocal, toRemote, type PathMapping } from './path-mappings.js';
import type { DapTransport } from './transport.js';

/** Where a session's events come from: the debuggee's threads, or a router in between. */
export type ThreadEventSource = EventEmitter<ThreadEvents>;

/** What `llmspell/runScript` asks of a kernel (`llmspell kernel run`). */
export interface RunScriptRequest {
  program: string;
  args: string[];
  cwd: string;
  /** Answer once the script has ended (with its exit code), not once it has started. */
  wait: boolean;
}

export interface RunScriptResult {
  threadId: number;
  name: string;
  /** 'running', or 'queued' behind the kernel's limit of scripts at once. */
  state: 'running' | 'queued';
  /** With `wait`: how it ended, as `llmspell run` would exit. */
  exitCode?: number;
}

/** A script a kernel runs (`llmspell/scripts`). */
export interface KernelScriptInfo {
  threadId: number;
  name: string;
  program: string;
  state: 'running' | 'stopped' | 'queued';
  since: string;
}

export interface DebugTarget {
  /** Creates the debuggee (one runtime, thread 1) for a `launch` request. */
  launch?(args: P.LaunchRequestArguments & Record<string, unknown>, session: DapSession): Promise<RuntimeThreads>;
  /** Finds the debuggee for an `attach` request. */
  attach?(args: P.AttachRequestArguments & Record<string, unknown>, session: DapSession): Promise<RuntimeThreads>;
  /** Starts a script in its own runtime, a new thread of the debuggee (a kernel only). */
  runScript?(req: RunScriptRequest, session: DapSession): Promise<RunScriptResult>;
  /** The scripts it runs (a kernel only). */
  listScripts?(): KernelScriptInfo[];
  /** Whether disconnect ends the script by default (true for launched, false for attached). */
  describe?: string;
  /**
   * Where an attached session takes the script's events from (a kernel routes them through its
   * MessageRouter); without it, straight from the ExecutionManager.
   */
  eventsFor?(session: DapSession): ThreadEventSource;
  /**
   * What ending the session does to the script (a kernel forgets the client, and resumes the
   * script when no debugger is left). Without it: a launched script is terminated, an attached
   * one loses this client's breakpoints and goes on.
   */
  detach?(session: DapSession, terminateDebuggee: boolean | undefined): Promise<void>;
  /** What `terminate` means (a kernel stops the running cell); without it, the script is ended. */
  terminate?(session: DapSession): Promise<void>;
}

/**
 * What a server adds around the bridge, none of it needed by a plain `llmspell dap`: a kernel
 * authenticates clients (`admit`) and tags every message with the request that caused it.
 */
export interface SessionHooks {
  /** Runs before a request is dispatched; throws a DapError to refuse it. */
  admit?(req: P.Request, session: DapSession): Promise<void>;
  /** Runs a request's handler (the kernel: inside the request's correlation context). */
  run?<T>(req: P.Request, session: DapSession, handle: () => Promise<T>): Promise<T>;
  /** Sees every response (with its request) and event as it is made, and may add to it. */
  stamp?(message: P.Response | P.Event, session: DapSession, req?: P.Request): void;
}

export interface SessionLog {
  error(msg: string): void;
  debug?(msg: string): void;
}

let sessionCounter = 0;

export class DapSession {
  readonly id = `dap-${++sessionCounter}`;
  initialized = false;
  linesStartAt1 = true;
  columnsStartAt1 = true;
  clientSupportsRunInTerminal = false;
  /** The threads this session debugs, once launched or attached. */
  debuggee: RuntimeThreads | null = null;
  launched = false;
  launchArgs: Record<string, unknown> | null = null;
  /** This client's breakpoints, kept across a restart and from before a script exists. */
  readonly breakpoints = new ClientBreakpoints(this.id);
  private seq = 1;
  private inFlight = 0;
  private readonly queued: P.Event[] = [];
  private configurationDone!: () => void;
  configured: Promise<void>;
  private readonly detachers: (() => void)[] = [];
  private closed = false;
  onEnd: (() => void) | null = null;
  hooks: SessionHooks = {};
  /** The id a client knows an engine breakpoint by when it is not its own (a kernel's shared ones). */
  sharedBreakpointId: (engineId: number) => number | undefined = () => undefined;

  constructor(private readonly transport: DapTransport, readonly target: DebugTarget, readonly log: SessionLog) {
    this.configured = new Promise((r) => { this.configurationDone = r; });
    transport.onMessage((m) => void this.receive(m));
    transport.onError((error, fatal) => {
      if (fatal) this.abandon(error);
      else {
        log.error(`DAP ${this.id}: ${error}`);
        this.sendEvent('output', { category: 'console', output: `llmspell: ${error}\n` });
      }
    });
    transport.onClose(() => void this.end());
  }

  markConfigured(): void { this.configurationDone(); }

  private async receive(raw: unknown): Promise<void> {
    const msg = raw as Partial<P.Request>;
    const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
    if (isObject && msg.type === 'response') {
      // An answer to one of our reverse requests (runInTerminal).
      const r = raw as P.Response;
      this.reverseWaiting.get(r.request_seq)?.(r);
      this.reverseWaiting.delete(r.request_seq);
      return;
    }
    if (!isObject || typeof msg.seq !== 'number') {
      // Nothing to answer: without a seq no response can name this message.
      this.abandon(`a DAP message needs type "request", a numeric seq and a command; got ${describeMessage(raw)}`);
      return;
    }
    if (msg.type !== 'request' || typeof msg.command !== 'string') {
      const req = { seq: msg.seq, command: typeof msg.command === 'string' ? msg.command : '' } as P.Request;
      const why = msg.type !== 'request' ? `message ${msg.seq} has type ${JSON.stringify(msg.type)}: a client sends type "request"` : `request ${msg.seq} has no command`;
      this.log.error(`DAP ${this.id}: ${why}`);
      this.respond(req, false, { error: { id: DapErrorCode.BadRequest, format: why, showUser: true } }, why);
      return;
    }
    const req = msg as P.Request;
    this.inFlight++;
    try {
      // Admission first: nothing of a refused request (its correlation id, the threads it
      // names) reaches the kernel.
      await this.hooks.admit?.(req, this);
      const body = await (this.hooks.run ? this.hooks.run(req, this, () => this.dispatch(req)) : this.dispatch(req));
      this.respond(req, true, body);
    } catch (e) {
      const err = e instanceof DapError ? e : new DapError(DapErrorCode.Failed, e instanceof Error ? e.message : String(e));
      this.respond(req, false, { error: { id: err.code, format: err.message, showUser: err.showUser } }, err.message);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.flush();
    }
  }

  private async dispatch(req: P.Request): Promise<unknown> {
    const handler = handlers[req.command];
    if (!handler) throw new DapError(DapErrorCode.UnknownCommand, `unknown request '${req.command}'`);
    if (!this.initialized && req.command !== 'initialize') {
      throw new DapError(DapErrorCode.NotInitialized, `'${req.command}' before 'initialize': send 'initialize' first`);
    }
    const args = req.arguments ?? {};
    if (typeof args !== 'object' || Array.isArray(args)) throw new DapError(DapErrorCode.BadArguments, `'${req.command}': arguments must be an object`);
    return handler(this, args as never);
  }

  private respond(req: P.Request, success: boolean, body: unknown, message?: string): void {
    const res: P.Response = { seq: this.seq++, type: 'response', request_seq: req.seq, command: req.command, success };
    if (body !== undefined) res.body = body;
    if (message) res.message = message;
    this.hooks.stamp?.(res, this, req);
    this.transport.send(res);
  }

  /**
   * A message that no response can answer: log it, tell the client why (an output event), and
   * close the connection, since what follows on the stream cannot be trusted.
   */
  private abandon(why: string): void {
    this.log.error(`DAP ${this.id}: ${why} (closing the connection)`);
    this.closeConnection(why);
  }

  /** Tells the client why (an output event), then closes its connection; the session ends. */
  closeConnection(why: string): void {
    this.flush();
    const ev: P.Event = { seq: this.seq++, type: 'event', event: 'output', body: { category: 'console', output: `llmspell: ${why}; closing the connection\n` } };
    this.hooks.stamp?.(ev, this);
    this.transport.send(ev);
    this.transport.close();
  }

  sendEvent(event: string, body?: unknown): void {
    const ev: P.Event = { seq: 0, type: 'event', event, body };
    this.hooks.stamp?.(ev, this);
    if (this.inFlight > 0) { this.queued.push(ev); return; }
    ev.seq = this.seq++;
    this.transport.send(ev);
  }

  private readonly reverseWaiting = new Map<number, (r: P.Response) => void>();

  /** Sends a request to the client (runInTerminal) and resolves with its response. */
  reverseRequest(command: string, args: unknown): Promise<P.Response> {
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.reverseWaiting.set(seq, resolve);
      this.transport.send({ seq, type: 'request', command, arguments: args });
    });
  }

  /** Where the script's stdout/stderr go instead of output events (its own terminal). */
  scriptOutput: ((text: string) => void) | null = null;

  private flush(): void {
    for (const ev of this.queued.splice(0)) { ev.seq = this.seq++; this.transport.send(ev); }
  }

  // ---- the bridge from ExecutionManager events to DAP events ----

  bind(debuggee: RuntimeThreads, events: ThreadEventSource = debuggee): void {
    this.debuggee = debuggee;
    const on = <K extends keyof ThreadEvents>(name: K, fn: (...a: never[]) => void): void => {
      events.on(name, fn as never);
      this.detachers.push(() => events.off(name, fn as never));
    };
    on('stopped', (s: StoppedEvent) => this.sendEvent('stopped', this.stoppedBody(s)));
    // A thread's continue is its own when there are others (they may still be stopped).
    on('continued', (threadId: number) => this.sendEvent('continued', { threadId, allThreadsContinued: debuggee.count <= 1 }));
    on('output', (o: OutputEvent) => {
      if (this.scriptOutput && o.category !== 'console' && o.threadId === undefined) { this.scriptOutput(o.text); return; }
      this.sendEvent('output', {
        category: o.category, output: o.text,
        ...(o.source ? { source: this.source(o.source), line: this.toClientLine(o.line ?? 1) } : this.scriptSource(o.threadId)),
        // Which script it came from (a kernel's scripts are threads of their own).
        ...(o.threadId !== undefined ? { threadId: o.threadId } : {}),
      });
    });
    on('thread', (c: ThreadChange) => this.sendEvent('thread', { reason: c.reason, threadId: c.threadId, ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}) }));
    on('breakpoint', (b: Breakpoint) => {
      // Only breakpoints this client set: another owner's would be ids it never heard of.
      const id = this.breakpoints.clientId(b.id);
      if (id !== undefined) this.sendEvent('breakpoint', { reason: 'changed', breakpoint: this.toDapBreakpoint({ ...b, id }) });
    });
    on('loadedSource', (p: string) => this.sendEvent('loadedSource', { reason: 'new', source: this.source(p) }));
    on('exited', (code: number) => {
      this.sendEvent('thread', { reason: 'exited', threadId: 1 });
      this.sendEvent('exited', { exitCode: code });
    });
    on('terminated', () => this.sendEvent('terminated', {}));
  }

  /** A stop as DAP says it, with the ids of this client's (and shared) breakpoints that were hit. */
  stoppedBody(s: StoppedEvent): P.StoppedEvent['body'] {
    const hit = s.hitBreakpointIds.map((id) => this.breakpoints.clientId(id) ?? this.sharedBreakpointId(id)).filter((id): id is number => id !== undefined);
    // Other threads (a kernel's scripts) go on running when one stops.
    const alone = (this.debuggee?.count ?? 1) <= 1;
    return {
      reason: s.reason, threadId: s.threadId, description: s.description, allThreadsStopped: alone,
      ...(s.exception ? { text: s.exception.message } : {}),
      ...(hit.length ? { hitBreakpointIds: hit } : {}),
    };
  }

  /** The script a thread runs, as an output event's source (none for the main thread). */
  private scriptSource(threadId: number | undefined): { source?: P.Source } {
    if (threadId === undefined || !this.debuggee) return {};
    const program = this.debuggee.scriptThreads().find((t) => t.id === threadId)?.em.program;
    return program ? { source: this.source(program) } : {};
  }

  /** Gives a (new) script this client's breakpoints; says where each one ended up. */
  async applyBreakpoints(debuggee: RuntimeThreads): Promise<void> {
    for (const st of await this.breakpoints.applyTo(debuggee)) this.sendEvent('breakpoint', { reason: 'changed', breakpoint: this.toDapBreakpoint(st) });
  }

  unbind(): void {
    for (const d of this.detachers.splice(0)) d();
  }

  // ---- conversions at the DAP boundary ----

  toClientLine(line: number): number { return this.linesStartAt1 ? line : line - 1; }
  fromClientLine(line: number): number { return this.linesStartAt1 ? line : line + 1; }
  clientColumn(col: number): number { return this.columnsStartAt1 ? col : col - 1; }
  fromClientColumn(col: number): number { return this.columnsStartAt1 ? col : col + 1; }

  /** Editor paths ↔ script paths (launch/attach `pathMappings`). */
  pathMappings: PathMapping[] = [];

  /** A script path as the editor knows it. */
  source(p: string): P.Source {
    const local = toLocal(this.pathMappings, p);
    return { name: path.basename(local), path: local };
  }

  /** An editor path as the script knows it. */
  remotePath(p: string): string {
    return toRemote(this.pathMappings, p);
  }

  toDapBreakpoint(b: Breakpoint): P.Breakpoint {
    const out: P.Breakpoint = { id: b.id, verified: b.verified };
    if (b.line !== undefined) out.line = this.toClientLine(b.line);
    if (b.message) out.message = b.message;
    if (b.source) out.source = this.source(b.source);
    return out;
  }

  /** Ends the session: forgets the client's breakpoints; ends a launched script. */
  async end(terminateDebuggee?: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const debuggee = this.debuggee;
    this.unbind();
    if (this.target.detach) await this.target.detach(this, terminateDebuggee).catch((e: Error) => this.log.error(`DAP ${this.id}: detaching failed: ${e.message}`));
    else if (debuggee) {
      const kill = terminateDebuggee ?? this.launched;
      if (kill) await debuggee.main.terminate();
      else {
        await debuggee.removeOwner(this.id).catch(() => undefined);
        // A debugger that detaches lets the script go on.
        for (const em of debuggee.stoppedThreads()) await em.continue().catch(() => undefined);
      }
    }
    this.transport.close();
    this.onEnd?.();
  }
}

