// The Jupyter debugger protocol: debug_request on control → the same DAP bridge as
// `llmspell dap` (through an in-memory transport), plus the Jupyter additions (debugInfo,
// dumpCell, inspectVariables, richInspectVariables, copyToGlobals). DAP events go out as
// debug_event on iopub. In a kernel with a MessageRouter, the session is one of its clients:
// it sees what every other debugger client causes, and its requests carry the debug_request's
// msg_id as their correlation id.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { DapSession, type DapTransport } from '../dap/index.js';
import { FIRST_SCOPED_ID, RuntimeThreads, type ExecutionManager } from '../debug/index.js';
import { HASH_SEED, type CellFiles } from './cell-files.js';
import { CORRELATION_FIELD } from './event-correlator.js';
import type { MessageRouter } from './message-router.js';

type DapMessage = P.Request | P.Response | P.Event;

/** Standard globals, left out of the notebook's variable view. */
const STANDARD_GLOBALS = new Set('_G _VERSION arg assert collectgarbage coroutine debug dofile error getmetatable io ipairs load loadfile math next os package pairs pcall print rawequal rawget rawlen rawset require select setmetatable string table tonumber tostring type utf8 warn xpcall'.split(' '));

class InMemoryTransport implements DapTransport {
  private messageFn: (m: unknown) => void = () => undefined;
  private closeFns: (() => void)[] = [];
  closed = false;
  constructor(private readonly out: (m: DapMessage) => void) {}
  deliver(m: unknown): void { this.messageFn(m); }
  send(m: unknown): void { this.out(m as DapMessage); }
  onMessage(fn: (m: unknown) => void): void { this.messageFn = fn; }
  onError(): void { /* in-memory messages are already parsed */ }
  onClose(fn: () => void): void { this.closeFns.push(fn); }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeFns) fn();
  }
}

export class JupyterDebugger {
  private session: DapSession | null = null;
  private transport: InMemoryTransport | null = null;
  private readonly waiting = new Map<number, (r: P.Response) => void>();
  private started = false;
  /** Without a router: the kernel's runtime as the session's debuggee. */
  private debuggee: RuntimeThreads | null = null;
  private ended: Promise<void> = Promise.resolve();
  /** The debug_request being answered: DAP events it causes go out with it as their parent. */
  private parent: unknown = null;

  constructor(
    private readonly em: ExecutionManager,
    private readonly cells: CellFiles,
    private readonly publishEvent: (event: P.Event, parent: unknown) => void,
    /** Stops the running cell (the kernel's interrupt): what `terminate` means in a notebook. */
    private readonly interruptCell: () => void = () => undefined,
    private readonly router: MessageRouter | null = null,
  ) {}

  /** A request answered here, not by the session, that may run code: the script's events are its. */
  private movesExecution(header: unknown): void {
    const id = (header as { msg_id?: unknown } | null)?.msg_id;
    if (this.router && typeof id === 'string') this.router.correlator.executionMovedBy(id);
  }

  /** Answers one debug_request (a DAP request) with the debug_reply content (a DAP response). */
  async handle(request: P.Request, header: unknown): Promise<P.Response> {
    this.parent = header;
    const respond = (body: unknown, success = true, message?: string): P.Response => ({
      seq: 0, type: 'response', request_seq: request.seq, command: request.command, success, body, ...(message ? { message } : {}),
    });
    if (!request || typeof request !== 'object' || typeof request.command !== 'string') {
      return { seq: 0, type: 'response', request_seq: 0, command: '', success: false, message: 'debug_request content must be a DAP request' };
    }
    try {
      switch (request.command) {
        case 'debugInfo': return respond(this.debugInfo());
        case 'dumpCell': {
          const code = (request.arguments as { code?: unknown })?.code;
          if (typeof code !== 'string') return respond(undefined, false, "'dumpCell' needs arguments.code");
          return respond({ sourcePath: this.cells.dump(code) });
        }
        case 'inspectVariables': return respond({ variables: await this.inspectVariables() });
        case 'richInspectVariables': return respond(await this.richInspect(request.arguments as { variableName?: string; frameId?: number }));
        case 'copyToGlobals': this.movesExecution(header); return respond(await this.copyToGlobals(request.arguments as { srcVariableName?: string; dstVariableName?: string; srcFrameId?: number }));
        case 'initialize': {
          const r = await this.forward(this.correlated(request, header));
          // The kernel's session outlives the debugger: no restart from here.
          if (r.success && r.body) (r.body as P.Capabilities).supportsRestartRequest = false;
          return r;
        }
        // The variable explorer expands globals (from inspectVariables) while no cell is stopped.
        case 'variables':
          // A stopped script's values (a thread of `llmspell kernel run`) are the session's too.
          if (this.em.isStopped || scoped((request.arguments as P.VariablesArguments | undefined)?.variablesReference)) return await this.forward(this.correlated(request, header));
          return respond({ variables: await this.idleVariables(request.arguments as P.VariablesArguments) });
        case 'evaluate':
          if (this.em.isStopped || scoped((request.arguments as P.EvaluateArguments | undefined)?.frameId)) return await this.forward(this.correlated(request, header));
          this.movesExecution(header);
          return respond(await this.idleEvaluate(request.arguments as P.EvaluateArguments));
        case 'terminate':
          // Ending the debuggee would end the kernel's session: stop the running cell instead.
          this.interruptCell();
          return respond(undefined);
        case 'restart':
          return respond(undefined, false, "the debugger cannot restart a notebook's kernel: restart the kernel instead");
        case 'disconnect': {
          // Never with terminateDebuggee: the debuggee is the kernel's session.
          const r = await this.forward(this.correlated({ ...request, arguments: { ...(request.arguments as object), terminateDebuggee: false } }, header));
          // The session ends after its response: wait, so debugInfo right after says so.
          await this.ended;
          return r;
        }
        default: return await this.forward(this.correlated(request, header));
      }
    } catch (e) {
      return respond(undefined, false, e instanceof Error ? e.message : String(e));
    }
  }

  private ensureSession(): DapSession {
    if (this.session && this.transport && !this.transport.closed) return this.session;
    const transport = new InMemoryTransport((m) => {
      if (m.type === 'response') {
        const r = m as P.Response;
        this.waiting.get(r.request_seq)?.(r);
        this.waiting.delete(r.request_seq);
      } else if (m.type === 'event') {
        this.publishEvent(m as P.Event, this.parent);
      }
    });
    this.debuggee ??= new RuntimeThreads(this.em);
    const debuggee = this.debuggee;
    const session = this.router
      ? this.router.openSession(transport, { kind: 'jupyter', onAttach: () => { this.started = true; } })
      : new DapSession(transport, {
        attach: async () => { this.started = true; return debuggee; },
        launch: async () => { throw new Error("a notebook's kernel is already running: use 'attach'"); },
      }, { error: () => undefined });
    let ended = (): void => undefined;
    this.ended = new Promise<void>((r) => { ended = r; });
    session.onEnd = () => { this.started = false; ended(); };
    this.session = session;
    this.transport = transport;
    return session;
  }

  /** With a router, the request's correlation id is the debug_request's msg_id. */
  private correlated(request: P.Request, header: unknown): P.Request {
    const id = (header as { msg_id?: unknown } | null)?.msg_id;
    if (!this.router || typeof id !== 'string') return request;
    const args = request.arguments;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return request;
    return { ...request, arguments: { ...(args as object | undefined), [CORRELATION_FIELD]: id } };
  }

  private forward(request: P.Request): Promise<P.Response> {
    this.ensureSession();
    return new Promise((resolve) => {
      this.waiting.set(request.seq, resolve);
      this.transport!.deliver(request);
    });
  }

  private debugInfo(): Record<string, unknown> {
    const owner = this.session?.id;
    const bySource = new Map<string, P.SourceBreakpoint[]>();
    for (const b of this.em.breakpointList()) {
      if (!b.bp.source || b.owner !== owner) continue;
      const list = bySource.get(b.bp.source) ?? [];
      list.push({ line: b.bp.line ?? 0, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage });
      bySource.set(b.bp.source, list);
    }
    return {
      isStarted: this.started,
      hashMethod: 'Murmur2',
      hashSeed: HASH_SEED,
      tmpFilePrefix: this.cells.prefix,
      tmpFileSuffix: this.cells.suffix,
      breakpoints: [...bySource].map(([source, breakpoints]) => ({ source, breakpoints })),
      // The cell's runtime is thread 1; scripts the kernel runs are threads of their own.
      stoppedThreads: this.router ? this.router.debuggee.stoppedThreads().map((em) => em.threadId) : this.em.isStopped ? [1] : [],
      richRendering: true,
      exceptionPaths: [],
    };
  }

  /** The notebook's own globals (not the standard library), as DAP variables. */
  private async inspectVariables(): Promise<P.Variable[]> {
    const g = await this.em.evaluate('_G', this.em.isStopped ? 1 : undefined, 'watch');
    if (!g.ref) return [];
    const vars = await this.em.variables(g.ref, 'named');
    return vars
      .filter((v) => !STANDARD_GLOBALS.has(v.name) && v.name !== '(metatable)')
      .map((v) => ({ name: v.name, value: v.value, type: v.type, evaluateName: v.name, variablesReference: v.ref, indexedVariables: v.indexed, namedVariables: v.named }));
  }

  private async idleVariables(args: P.VariablesArguments): Promise<P.Variable[]> {
    if (typeof args?.variablesReference !== 'number') throw new Error("'variables' needs arguments.variablesReference");
    const vars = await this.em.variables(args.variablesReference, args.filter, args.start, args.count);
    return vars.map((v) => ({ name: v.name, value: v.value, type: v.type, variablesReference: v.ref, indexedVariables: v.indexed, namedVariables: v.named }));
  }

  private async idleEvaluate(args: P.EvaluateArguments): Promise<P.EvaluateResponse['body']> {
    if (typeof args?.expression !== 'string') throw new Error("'evaluate' needs arguments.expression");
    const context = args.context === 'watch' || args.context === 'hover' || args.context === 'clipboard' ? args.context : 'repl';
    const r = await this.em.evaluate(args.expression, undefined, context);
    return { result: r.value, type: r.type, variablesReference: r.ref, indexedVariables: r.indexed, namedVariables: r.named };
  }

  private async richInspect(args: { variableName?: string; frameId?: number }): Promise<Record<string, unknown>> {
    if (typeof args?.variableName !== 'string') throw new Error("'richInspectVariables' needs arguments.variableName");
    const r = await this.em.evaluate(args.variableName, this.em.isStopped ? args.frameId : undefined, 'hover');
    return { data: { 'text/plain': r.value }, metadata: {} };
  }

  private async copyToGlobals(args: { srcVariableName?: string; dstVariableName?: string; srcFrameId?: number }): Promise<Record<string, unknown>> {
    if (typeof args?.srcVariableName !== 'string' || typeof args.dstVariableName !== 'string') throw new Error("'copyToGlobals' needs srcVariableName and dstVariableName");
    if (!this.em.isStopped) throw new Error("'copyToGlobals' needs the cell to be stopped");
    await this.em.evaluate(`_G[${JSON.stringify(args.dstVariableName)}] = ${args.srcVariableName}`, args.srcFrameId, 'repl');
    const r = await this.em.evaluate(args.dstVariableName, args.srcFrameId, 'watch');
    return { value: r.value, type: r.type, variablesReference: r.ref };
  }
}

/** Whether an id names a frame or value of a script thread rather than the cell's runtime. */
function scoped(id: unknown): boolean {
  return typeof id === 'number' && id >= FIRST_SCOPED_ID;
}
