// The kernel's dap_port: a TCP listener where every connection is a DapSession opened by the
// MessageRouter (so it attaches to the kernel's ExecutionManager), gated by ConnectionAuth.
import * as net from 'node:net';
import { LIST_SCRIPTS, MAX_MESSAGE, RUN_SCRIPT, StreamTransport } from '../dap/index.js';
import { AuthThrottle, ConnectionAuth, UNAUTHENTICATED_MAX_MESSAGE } from './dap-auth.js';
import type { MessageRouter } from './message-router.js';
import { serveSharedBreakpointRequests } from './shared-breakpoint-requests.js';
import { SHARED_BREAKPOINTS_REQUEST } from './shared-breakpoints.js';

/** How soon a silent peer (network gone, machine off) is noticed. */
const KEEPALIVE_MS = 10_000;

export interface KernelDapServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

export interface KernelDapLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** `throttle` is shared with the kernel's other authenticated endpoints (its WebSocket). */
export function serveKernelDap(port: number, host: string, key: string, router: MessageRouter, log: KernelDapLog, throttle: AuthThrottle = new AuthThrottle()): Promise<KernelDapServer> {
  if (!key && !isLoopback(host)) {
    return Promise.reject(new Error(`DAP on ${host} needs a key to authenticate clients: give the connection file a "key", or bind 127.0.0.1`));
  }
  if (!key) log.warn({ host }, 'the connection file has no key: DAP clients are not authenticated (loopback only)');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    let close = (_why: string): void => { socket.destroy(); };
    // A client authenticates with its attach, or (`llmspell kernel run`, `kernel status`,
    // `kernel breakpoint`, `fleet`) with the script it starts or its question or change.
    const auth = new ConnectionAuth(key, throttle, log, remote, (why) => close(why), ['attach', RUN_SCRIPT, LIST_SCRIPTS, SHARED_BREAKPOINTS_REQUEST]);
    const transport = new StreamTransport(socket, socket);
    // Until it has authenticated, a client may only send small messages (an attach is tiny).
    if (key) {
      transport.maxMessageBytes = UNAUTHENTICATED_MAX_MESSAGE;
      auth.onAuthenticated = () => { transport.maxMessageBytes = MAX_MESSAGE; };
    }
    const session = router.openSession(transport, { kind: 'dap-tcp', remote, admit: auth.admit });
    serveSharedBreakpointRequests(session, router.shared, auth.admit);
    close = (why) => session.closeConnection(why);
    socket.once('close', () => auth.dispose());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (e) => log.error({ err: e.message }, 'DAP server error'));
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        host,
        close: () => new Promise<void>((r) => {
          server.close(() => r());
          // Sessions were ended by the router; whatever socket is left (mid-handshake) goes now.
          for (const s of sockets) s.destroy();
        }),
      });
    });
  });
}
