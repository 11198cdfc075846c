// Clients of a kernel's WebSocket endpoint (ws_port), as a browser tool would be: a Jupyter
// frontend speaking Jupyter Server's JSON protocol on /api/kernels/<id>/channels, and a DAP
// client sending one JSON message per WebSocket message on /api/kernels/<id>/dap. Both keep
// everything they receive; every socket is closed by the test's cleanup.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { within, WAIT_MS, type T } from '../dap/dap-client.js';

export interface WsEndpoint {
  ws_port: number;
  kernel_id: string;
  key: string;
}

export function wsUrl(k: WsEndpoint, path: 'channels' | 'dap', query = `token=${k.key}`): string {
  return `ws://127.0.0.1:${k.ws_port}/api/kernels/${k.kernel_id}/${path}${query ? `?${query}` : ''}`;
}

/** Opens a WebSocket; resolves once open, or rejects with the HTTP status of a refused upgrade. */
export function openWs(t: T, url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers });
  t.after(() => { ws.terminate(); });
  return within(new Promise<WebSocket>((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString('utf8'); });
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  }), `a WebSocket to ${url.replace(/token=[^&]*/, 'token=…')}`);
}

/** Waits for a message in `list` that matches; `wakeup` is how new arrivals are heard. */
class Inbox<M> {
  readonly received: M[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  push(m: M): void {
    this.received.push(m);
    this.wake?.();
  }

  end(): void {
    this.closed = true;
    this.wake?.();
  }

  async next(match: (m: M) => boolean, what: string, ms = WAIT_MS): Promise<M> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error(`no ${what} (${this.closed ? 'connection closed' : `within ${ms} ms`}); got: ${JSON.stringify(this.received).slice(0, 800)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); this.wake = null; resolve(); };
      });
    }
  }
}

export interface WsKernelMessage {
  channel: string;
  header: { msg_id: string; msg_type: string; session: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

/** A Jupyter frontend on the channels path. */
export class WsJupyterClient {
  readonly session = randomUUID();
  private readonly inbox = new Inbox<WsKernelMessage>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as WsKernelMessage));
    ws.on('close', () => this.inbox.end());
  }

  static async connect(t: T, k: WsEndpoint): Promise<WsJupyterClient> {
    return new WsJupyterClient(await openWs(t, wsUrl(k, 'channels')));
  }

  get received(): WsKernelMessage[] { return this.inbox.received; }

  /** Sends a request on `channel`; returns its msg_id. */
  send(channel: string, msgType: string, content: Record<string, unknown>): string {
    const msgId = randomUUID();
    const header = { msg_id: msgId, msg_type: msgType, session: this.session, username: 'test', date: new Date().toISOString(), version: '5.3' };
    this.ws.send(JSON.stringify({ channel, header, parent_header: {}, metadata: {}, content }));
    return msgId;
  }

  execute(code: string): string {
    return this.send('shell', 'execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  }

  next(match: (m: WsKernelMessage) => boolean, what: string, ms = WAIT_MS): Promise<WsKernelMessage> {
    return this.inbox.next(match, what, ms);
  }

  /** The reply to request `msgId` (on any channel but iopub; an input_request on stdin is not one). */
  reply(msgId: string): Promise<WsKernelMessage> {
    return this.next((m) => m.channel !== 'iopub' && m.parent_header.msg_id === msgId && m.header.msg_type.endsWith('_reply'), `reply to ${msgId}`);
  }

  /** iopub messages caused by request `msgId`, in order. */
  iopubOf(msgId: string): WsKernelMessage[] {
    return this.received.filter((m) => m.channel === 'iopub' && m.parent_header.msg_id === msgId);
  }

  /** The reply, once the request's idle status has come too (all its output is in). */
  async finished(msgId: string): Promise<WsKernelMessage> {
    const reply = await this.reply(msgId);
    await this.next((m) => m.channel === 'iopub' && m.parent_header.msg_id === msgId && m.header.msg_type === 'status' && m.content.execution_state === 'idle', `idle after ${msgId}`);
    return reply;
  }

  streamOf(msgId: string): string {
    return this.iopubOf(msgId).filter((m) => m.header.msg_type === 'stream').map((m) => String(m.content.text)).join('');
  }
}

/** A DAP client on the dap path: one JSON message per WebSocket message. */
export class WsDapClient {
  private readonly inbox = new Inbox<Record<string, unknown>>();
  private seq = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.on('close', () => this.inbox.end());
  }

  static async connect(t: T, k: WsEndpoint): Promise<WsDapClient> {
    return new WsDapClient(await openWs(t, wsUrl(k, 'dap')));
  }

  get received(): Record<string, unknown>[] { return this.inbox.received; }

  /** Sends a request and resolves with its response. */
  async request(command: string, args?: unknown): Promise<P.Response> {
    const seq = this.seq++;
    this.ws.send(JSON.stringify({ seq, type: 'request', command, ...(args === undefined ? {} : { arguments: args }) }));
    return await this.inbox.next((m) => m.type === 'response' && m.request_seq === seq, `response to ${command} (${seq})`) as unknown as P.Response;
  }

  /** The `count`th event named `name`. */
  async event(name: string, count = 1): Promise<P.Event> {
    await this.inbox.next(() => this.events(name).length >= count, `${name} event #${count}`);
    return this.events(name)[count - 1];
  }

  events(name: string): P.Event[] {
    return this.received.filter((m) => m.type === 'event' && m.event === name) as unknown as P.Event[];
  }
}
