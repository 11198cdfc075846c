// The kernel core: maps each msg_type to a handler, wraps every request in busy/idle status
// on iopub, runs shell requests one at a time (control ones at once, so a stopped cell still
// answers the debugger and interrupts), and drops messages whose signature is wrong.
import type { Logger } from 'pino';
import type { JupyterDebugger } from '../kernel/jupyter-debugger.js';
import type { LuaInterpreter, Publisher } from '../kernel/lua-interpreter.js';
import type { Channel, KernelFrontends } from './kernel-frontends.js';
import type { Message } from './wire.js';

type Handler = (msg: Message, channel: Channel) => Promise<void>;

export class KernelServer {
  /** Shell requests in arrival order, each with its arrival number. */
  private readonly shellQueue: { msg: Message; n: number }[] = [];
  private received = 0;
  /** After a failed cell with stop_on_error, execute requests received up to this number are aborted. */
  private abortThrough = 0;
  private shellBusy = false;
  /** The cell waiting in io.read (shell requests run one at a time, so there is at most one). */
  private pendingInput: ((value: string | null) => void) | null = null;
  private readonly handlers: Record<string, Handler>;
  onShutdown: ((restart: boolean) => void) | null = null;
  /** A request that moves the script (a cell starts, an interrupt): its msg_id is the cause of what follows. */
  onExecutionMoved: ((msgId: string) => void) | null = null;

  constructor(
    private readonly sockets: KernelFrontends,
    private readonly interpreter: LuaInterpreter,
    private readonly debuggerComponent: JupyterDebugger,
    private readonly log: Logger,
  ) {
    this.handlers = {
      kernel_info_request: (m, c) => this.reply(c, m, 'kernel_info_reply', this.interpreter.kernelInfo()),
      execute_request: (m, c) => this.execute(m, c),
      is_complete_request: async (m, c) => this.reply(c, m, 'is_complete_reply', await this.interpreter.isComplete(String(m.content.code ?? ''))),
      complete_request: async (m, c) => {
        const r = await this.interpreter.complete(String(m.content.code ?? ''), Number(m.content.cursor_pos ?? 0));
        return this.reply(c, m, 'complete_reply', { status: 'ok', ...r, metadata: {} });
      },
      inspect_request: async (m, c) => {
        const r = await this.interpreter.inspect(String(m.content.code ?? ''), Number(m.content.cursor_pos ?? 0));
        return this.reply(c, m, 'inspect_reply', { status: 'ok', ...r, metadata: {} });
      },
      history_request: (m, c) => this.reply(c, m, 'history_reply', { status: 'ok', history: this.interpreter.history.query(m.content) }),
      comm_info_request: (m, c) => this.reply(c, m, 'comm_info_reply', { status: 'ok', comms: {} }),
      comm_open: async (m) => {
        // No comm targets: close it, as the protocol asks.
        await this.sockets.publish('comm_close', m.header, { comm_id: m.content.comm_id, data: {} });
      },
      comm_msg: async () => undefined,
      comm_close: async () => undefined,
      interrupt_request: async (m, c) => {
        this.onExecutionMoved?.(m.header.msg_id);
        this.interrupt();
        await this.reply(c, m, 'interrupt_reply', { status: 'ok' });
      },
      shutdown_request: (m, c) => this.shutdown(m, c),
      debug_request: async (m, c) => {
        const body = await this.debuggerComponent.handle(m.content as never, m.header);
        await this.reply(c, m, 'debug_reply', body);
      },
    };
  }

  /** No shell request runs or waits (a graceful shutdown waits for this). */
  get shellIdle(): boolean {
    return !this.shellBusy && this.shellQueue.length === 0;
  }

  /** Stops the running cell (interrupt_request, SIGINT), also while it waits for input. */
  interrupt(): void {
    // The interpreter ends the wait itself; a late input_reply must not answer a later request.
    this.pendingInput = null;
    this.interpreter.interrupt();
  }

  start(): void {
    this.sockets.listen({
      message: (channel, msg) => this.receive(channel, msg),
      rejected: (channel, reason) => this.log.warn({ channel }, `dropped a message: ${reason}`),
    });
  }

  private receive(channel: Channel, msg: Message): void {
    this.log.debug({ channel, msg_type: msg.header.msg_type, correlation: msg.header.msg_id }, 'request');
    if (channel === 'stdin') {
      if (msg.header.msg_type === 'input_reply') {
        const answer = this.pendingInput;
        this.pendingInput = null;
        answer?.(typeof msg.content.value === 'string' ? msg.content.value : null);
      }
      return;
    }
    if (channel === 'control') {
      void this.serve(msg, channel);
      return;
    }
    this.shellQueue.push({ msg, n: ++this.received });
    void this.drainShell();
  }

  private async drainShell(): Promise<void> {
    if (this.shellBusy) return;
    this.shellBusy = true;
    try {
      for (let next = this.shellQueue.shift(); next; next = this.shellQueue.shift()) {
        const { msg, n } = next;
        // Cells already queued when a cell failed (stop_on_error) are aborted; later ones run.
        const abort = n <= this.abortThrough && msg.header.msg_type === 'execute_request';
        await this.serve(msg, 'shell', abort ? (m, c) => this.reply(c, m, 'execute_reply', { status: 'aborted' }) : undefined);
      }
    } finally {
      this.shellBusy = false;
    }
  }

  private async serve(msg: Message, channel: Channel, handler: Handler | undefined = this.handlers[msg.header.msg_type]): Promise<void> {
    const type = msg.header.msg_type;
    await this.sockets.publish('status', msg.header, { execution_state: 'busy' });
    try {
      if (!handler) {
        this.log.warn({ msg_type: type }, 'unknown message type');
        if (type.endsWith('_request')) await this.reply(channel, msg, type.replace(/_request$/, '_reply'), { status: 'error', ename: 'UnknownMessage', evalue: `llmspell does not handle ${type}`, traceback: [] });
      } else {
        await handler(msg, channel);
      }
    } catch (e) {
      this.log.error({ msg_type: type, err: (e as Error).message }, 'handler failed');
      if (type.endsWith('_request')) await this.reply(channel, msg, type.replace(/_request$/, '_reply'), { status: 'error', ename: 'KernelError', evalue: (e as Error).message, traceback: [] });
    } finally {
      await this.sockets.publish('status', msg.header, { execution_state: 'idle' });
    }
  }

  private reply(channel: Channel, msg: Message, type: string, content: unknown): Promise<void> {
    return this.sockets.send(channel, msg, type, content);
  }

  private async execute(msg: Message, channel: Channel): Promise<void> {
    const c = msg.content;
    const code = String(c.code ?? '');
    const silent = c.silent === true;
    const storeHistory = silent ? false : c.store_history !== false;
    const allowStdin = c.allow_stdin !== false;
    const stopOnError = c.stop_on_error !== false;
    if (!silent) await this.sockets.publish('execute_input', msg.header, { code, execution_count: this.interpreter.executionCount + (storeHistory ? 1 : 0) });
    this.onExecutionMoved?.(msg.header.msg_id);
    const publisher: Publisher = {
      stream: (name, text) => { if (!silent) void this.sockets.publish('stream', msg.header, { name, text }); },
      executeResult: (count, data) => void this.sockets.publish('execute_result', msg.header, { execution_count: count, data, metadata: {} }),
      display: (data, metadata) => { if (!silent) void this.sockets.publish('display_data', msg.header, { data, metadata, transient: {} }); },
      clearOutput: (wait) => { if (!silent) void this.sockets.publish('clear_output', msg.header, { wait }); },
      error: (ename, evalue, traceback) => { if (!silent) void this.sockets.publish('error', msg.header, { ename, evalue, traceback }); },
      allowStdin,
      input: (prompt) => (allowStdin ? this.requestInput(msg, prompt) : Promise.resolve(null)),
    };
    const reply = await this.interpreter.execute(code, { silent, storeHistory }, publisher);
    if (reply.status === 'error' && stopOnError) this.abortThrough = this.received;
    await this.reply(channel, msg, 'execute_reply', reply);
  }

  /** io.read in a cell: input_request on stdin to the frontend that sent the cell. */
  private requestInput(parent: Message, prompt: string): Promise<string | null> {
    return new Promise((resolve) => {
      this.pendingInput = resolve;
      void this.sockets.send('stdin', parent, 'input_request', { prompt, password: false });
    });
  }

  private async shutdown(msg: Message, channel: Channel): Promise<void> {
    const restart = msg.content.restart === true;
    await this.reply(channel, msg, 'shutdown_reply', { status: 'ok', restart });
    await this.sockets.publish('shutdown_reply', msg.header, { status: 'ok', restart });
    this.onShutdown?.(restart);
  }
}
