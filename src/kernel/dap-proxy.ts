// `llmspell dap` for a running kernel: an editor's `attach` with `connectionFile` or `kernelId`
// turns the adapter into a relay. It sits between the editor's transport and the local
// DapSession (which serves `initialize` and `launch` as before): on such an attach it connects
// to the kernel's dap_port, replays the editor's `initialize`, forwards the `attach` with the
// kernel's key as `token`, and from then on passes every message through, both ways. The
// kernel's answer to the attach is the editor's answer; if it fails (no such kernel, refused),
// the editor is told why and the local session carries on.
// Messages to the editor are numbered here (one seq sequence, whichever side made them);
// reverse requests are mapped back to their sender's numbering.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as net from 'node:net';
import { DapErrorCode, StreamTransport, TransportListeners, type DapTransport } from '../dap/index.js';
import { KernelNotFound, locateKernel, type KernelDapAddress } from './kernel-lookup.js';

type Message = P.ProtocolMessage & Record<string, unknown>;
type Origin = 'local' | 'kernel';

const CONNECT_TIMEOUT_MS = 10_000;

export interface ProxyLog {
  info(msg: string): void;
  error(msg: string): void;
}

/** Whether an attach names a kernel (and so is relayed). */
export function attachesToKernel(args: unknown): boolean {
  const a = args as { connectionFile?: unknown; kernelId?: unknown } | undefined;
  return !!a && (a.connectionFile !== undefined || a.kernelId !== undefined);
}

export class KernelAttachProxy extends TransportListeners implements DapTransport {
  private mode: 'local' | 'connecting' | 'relay' = 'local';
  private initializeRequest: Message | null = null;
  private kernel: StreamTransport | null = null;
  private socket: net.Socket | null = null;
  /** What the editor sent while the connection was being made. */
  private held: Message[] = [];
  private outSeq = 1;
  private readonly reverse = new Map<number, { origin: Origin; seq: number }>();
  private terminatedSent = false;

  constructor(private readonly editor: DapTransport, private readonly log: ProxyLog) {
    super();
    editor.onMessage((m) => this.fromEditor(m as Message));
    editor.onError((e, fatal) => {
      if (this.mode === 'local') this.errorFn(e, fatal);
      else this.log.error(`DAP proxy: ${e}`);
    });
    editor.onClose(() => this.close());
  }

  // ---- the local session's transport ----

  send(message: unknown): void {
    // In relay mode the session is idle; anything it says (it should say nothing) is dropped.
    if (this.mode === 'local') this.toEditor(message as Message, 'local');
  }

  close(): void {
    if (!this.markClosed()) return;
    this.socket?.destroy();
    this.notifyClosed();
    this.editor.close();
  }

  // ---- routing ----

  private fromEditor(m: Message): void {
    if (m && m.type === 'response' && typeof m.request_seq === 'number') {
      // The answer to a reverse request: back to whoever asked, in its numbering.
      const to = this.reverse.get(m.request_seq);
      this.reverse.delete(m.request_seq);
      const answer = to ? { ...m, request_seq: to.seq } : m;
      if (to?.origin === 'kernel') this.kernel?.send(answer);
      else if (this.mode === 'local') this.messageFn(answer);
      return;
    }
    if (this.mode === 'connecting') { this.held.push(m); return; }
    if (this.mode === 'relay') { this.kernel?.send(m); return; }
    if (m && m.type === 'request' && m.command === 'initialize') this.initializeRequest = m;
    if (m && m.type === 'request' && m.command === 'attach' && attachesToKernel(m.arguments)) {
      void this.connect(m as unknown as P.AttachRequest);
      return;
    }
    this.messageFn(m);
  }

  private toEditor(m: Message, origin: Origin): void {
    const out = { ...m, seq: this.outSeq++ };
    if (m.type === 'request') this.reverse.set(out.seq, { origin, seq: m.seq });
    if (m.type === 'event' && m.event === 'terminated') this.terminatedSent = true;
    this.editor.send(out);
  }

  private fail(attach: P.AttachRequest, why: string): void {
    // The editor shows the message; the log keeps it for --trace info.
    this.log.info(`DAP proxy: ${why}`);
    this.toEditor({
      seq: 0, type: 'response', request_seq: attach.seq, command: 'attach', success: false, message: why,
      body: { error: { id: DapErrorCode.Failed, format: why, showUser: true } },
    } as unknown as Message, 'local');
  }

  /** The editor's attach named a kernel: connect, authenticate, and relay. */
  private async connect(attach: P.AttachRequest): Promise<void> {
    if (!this.initializeRequest) {
      this.fail(attach, "'attach' before 'initialize': send 'initialize' first");
      return;
    }
    this.mode = 'connecting';
    let address: KernelDapAddress;
    try {
      address = locateKernel(attach.arguments as Record<string, unknown>);
    } catch (e) {
      this.backToLocal(attach, e instanceof KernelNotFound ? e.message : String(e));
      return;
    }
    let socket: net.Socket;
    try {
      socket = await openSocket(address);
    } catch (e) {
      this.backToLocal(attach, `cannot reach kernel ${address.kernelId} at ${address.host}:${address.port}: ${(e as Error).message}`);
      return;
    }
    if (this.closed) { socket.destroy(); return; }
    this.socket = socket;
    const kernel = new StreamTransport(socket, socket);
    this.kernel = kernel;
    const init = this.initializeRequest;
    let attached = false;
    const relay = (): void => {
      attached = true;
      this.mode = 'relay';
      this.log.info(`DAP proxy: attached to kernel ${address.kernelId} at ${address.host}:${address.port}`);
      for (const m of this.held.splice(0)) kernel.send(m);
    };
    kernel.onMessage((raw) => {
      const m = raw as Message;
      if (!attached && m.type === 'response' && m.request_seq === init.seq && m.command === 'initialize') {
        // Answered already, by the local session; a kernel that refuses it fails the attach.
        if (!m.success) this.backToLocal(attach, `kernel ${address.kernelId} refused 'initialize': ${String(m.message)}`);
        return;
      }
      if (!attached && m.type === 'response' && m.request_seq === attach.seq) {
        this.toEditor(m, 'kernel');
        if (m.success) relay();
        else this.backToLocal(attach, null);
        return;
      }
      this.toEditor(m, 'kernel');
    });
    kernel.onError((e) => this.log.error(`DAP proxy: from the kernel: ${e}`));
    kernel.onClose(() => {
      if (this.mode !== 'relay') { if (this.mode === 'connecting') this.backToLocal(attach, `kernel ${address.kernelId} closed the connection`); return; }
      this.log.info(`DAP proxy: kernel ${address.kernelId} closed the connection`);
      if (!this.terminatedSent) this.toEditor({ seq: 0, type: 'event', event: 'terminated', body: {} } as unknown as Message, 'kernel');
      this.close();
    });
    kernel.send(init);
    const { connectionFile: _f, kernelId: _k, ...rest } = (attach.arguments ?? {}) as Record<string, unknown>;
    kernel.send({ ...attach, arguments: { ...rest, token: typeof rest.token === 'string' ? rest.token : address.key, proxiedBy: 'llmspell dap' } });
  }

  /** The attach failed: say why (unless the kernel already did), and serve locally again. */
  private backToLocal(attach: P.AttachRequest, why: string | null): void {
    if (this.mode === 'local') return;
    this.mode = 'local';
    if (why !== null) this.fail(attach, why);
    const socket = this.socket;
    this.socket = null;
    this.kernel = null;
    socket?.destroy();
    for (const m of this.held.splice(0)) this.fromEditor(m);
  }
}

function openSocket(a: KernelDapAddress): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: a.host, port: a.port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)); }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => { clearTimeout(timer); socket.setNoDelay(true); resolve(socket); });
    socket.once('error', (e) => { clearTimeout(timer); reject(e); });
  });
}
