// The kernel's ws_port: one HTTP listener whose WebSocket upgrades lead to two paths, so
// browser tools can talk to a kernel directly:
//   /api/kernels/<kernel_id>/channels  Jupyter messages as JSON (Jupyter Server's protocol),
//                                      another frontend transport of the same KernelServer;
//   /api/kernels/<kernel_id>/dap       DAP, one JSON message per WebSocket message, a DapSession
//                                      the MessageRouter opens like any other debugger client.
// Both are authenticated at the upgrade with the kernel's key (websocket-auth.ts); refusals
// answer 401/403 and never open a WebSocket. Silent peers are found by ping and removed.
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WebSocketTransport } from '../dap/index.js';
import type { ConnectionInfo } from '../jupyter/connection-file.js';
import type { KernelFrontends } from '../jupyter/kernel-frontends.js';
import { WebSocketFrontend } from '../jupyter/websocket-frontend.js';
import type { AuthThrottle } from './dap-auth.js';
import type { KernelDapLog } from './kernel-dap-server.js';
import type { MessageRouter } from './message-router.js';
import { authenticateUpgrade } from './websocket-auth.js';

/** How often connections are pinged; one that has not answered the previous ping is dropped. */
const PING_MS = 10_000;
/** The largest message taken (as DAP's Content-Length limit). */
const MAX_MESSAGE = 64 * 1024 * 1024;
/** How long closing connections get to say goodbye when the kernel stops. */
const CLOSE_GRACE_MS = 500;

export interface KernelWebSocketPaths {
  channels: string;
  dap: string;
}

export function kernelWebSocketPaths(kernelId: string): KernelWebSocketPaths {
  const base = `/api/kernels/${encodeURIComponent(kernelId)}`;
  return { channels: `${base}/channels`, dap: `${base}/dap` };
}

/** Where the WebSocket listens: the kernel's ip (loopback for an ipc kernel). */
export function webSocketHost(info: ConnectionInfo): string {
  if (info.transport !== 'tcp') return '127.0.0.1';
  return info.ip === '*' ? '0.0.0.0' : info.ip;
}

export interface KernelWebSocketOptions {
  port: number;
  host: string;
  key: string;
  kernelId: string;
  frontends: KernelFrontends;
  router: MessageRouter;
  throttle: AuthThrottle;
  log: KernelDapLog;
}

export interface KernelWebSocketServer {
  port: number;
  host: string;
  paths: KernelWebSocketPaths;
  /** Jupyter frontends connected now (on the channels path). */
  readonly jupyterClients: number;
  close(): Promise<void>;
}

export function serveKernelWebSocket(o: KernelWebSocketOptions): Promise<KernelWebSocketServer> {
  if (!o.key) {
    // Any web page can open a WebSocket to 127.0.0.1: without a key nothing would stop it.
    return Promise.reject(new Error('the WebSocket endpoint needs the kernel\'s key to authenticate clients: give the connection file a "key"'));
  }
  const paths = kernelWebSocketPaths(o.kernelId);
  const alive = new WeakMap<WebSocket, boolean>();
  let jupyterClients = 0;
  // No subprotocol is chosen: Jupyter clients that offer some then use the default protocol.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, handleProtocols: () => false });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'close' });
    res.end(`this port serves WebSockets only: ${paths.channels} (Jupyter messages) and ${paths.dap} (DAP)\n`);
  });

  const open = (ws: WebSocket, which: 'channels' | 'dap', remote: string): void => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (e) => o.log.warn({ remote, err: e.message }, 'WebSocket error'));
    if (which === 'channels') {
      const frontend = new WebSocketFrontend(ws, o.frontends.session, remote);
      frontend.onOverflow = () => o.log.warn({ remote }, 'Jupyter WebSocket client dropped: it left more than 16 MiB unread');
      const remove = o.frontends.add(frontend);
      jupyterClients++;
      o.log.info({ remote }, 'Jupyter WebSocket client connected');
      ws.once('close', () => {
        remove();
        jupyterClients--;
        o.log.info({ remote }, 'Jupyter WebSocket client disconnected');
      });
    } else {
      o.router.openSession(new WebSocketTransport(ws), { kind: 'dap-websocket', remote });
    }
  };

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    // Only the path is logged: the query may hold the token.
    let url: URL;
    try {
      // A request target such as `//` or `//x:99999` is not a URL: refused, never thrown.
      url = new URL(req.url ?? '/', 'http://kernel');
    } catch {
      o.log.warn({ remote }, 'WebSocket refused: the request target is not a URL');
      refuse(socket, 400, 'the request target is not a URL path');
      return;
    }
    const which = url.pathname === paths.channels ? 'channels' : url.pathname === paths.dap ? 'dap' : null;
    if (!which) {
      o.log.warn({ remote, path: url.pathname }, 'WebSocket refused: unknown path');
      refuse(socket, 404, `no WebSocket at ${url.pathname}: use ${paths.channels} (Jupyter messages) or ${paths.dap} (DAP)`);
      return;
    }
    void authenticateUpgrade(req, url, o.key, o.throttle, o.log, remote, () => socket.destroyed).then((verdict) => {
      if (!verdict.ok) { refuse(socket, verdict.status, verdict.reason); return; }
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => open(ws, which, remote));
    }).catch((e: Error) => {
      // A connection that fails to open (the kernel stopping) ends alone, never the kernel.
      o.log.warn({ remote, err: e.message }, 'WebSocket connection failed to open');
      socket.destroy();
    });
  });

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) { ws.terminate(); continue; }
      alive.set(ws, false);
      ws.ping();
    }
  }, PING_MS);
  pinger.unref();

  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      http.on('error', (e) => o.log.error({ err: e.message }, 'WebSocket server error'));
      const addr = http.address() as AddressInfo;
      resolve({
        port: addr.port,
        host: o.host,
        paths,
        get jupyterClients() { return jupyterClients; },
        close: async () => {
          clearInterval(pinger);
          const clients = [...wss.clients];
          for (const ws of clients) ws.close(1001, 'kernel shutting down');
          await Promise.race([
            Promise.all(clients.map((ws) => (ws.readyState === ws.CLOSED ? undefined : new Promise((r) => ws.once('close', r))))),
            new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref()),
          ]);
          for (const ws of wss.clients) ws.terminate();
          await new Promise<void>((r) => {
            http.close(() => r());
            http.closeAllConnections();
          });
        },
      });
    });
  });
}

/** Answers an upgrade with an HTTP error and closes the socket: no WebSocket is opened. */
function refuse(socket: Socket, status: 400 | 401 | 403 | 404 | 503, message: string): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
