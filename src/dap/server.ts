// DAP servers: one session over this process's stdio, or a TCP listener where every
// connection is a session and the listener keeps serving after sessions end.
import * as net from 'node:net';
import { DapSession, type DebugTarget, type SessionLog } from './dap-session.js';
import { StreamTransport, type DapTransport } from './transport.js';

/** Puts something between a connection and its session (`llmspell dap`'s relay to kernels). */
export type TransportWrapper = (transport: DapTransport) => DapTransport;

export function serveStdio(target: DebugTarget, log: SessionLog, wrap: TransportWrapper = (t) => t): Promise<void> {
  return new Promise((resolve) => {
    const session = new DapSession(wrap(new StreamTransport(process.stdin, process.stdout)), target, log);
    session.onEnd = () => resolve();
  });
}

export interface TcpServer {
  port: number;
  close(): Promise<void>;
}

/** Called for each new connection's session (to add an authentication gate). */
export type SessionSetup = (session: DapSession, socket: net.Socket) => void;

export function serveTcp(port: number, host: string, target: () => DebugTarget, log: SessionLog, wrap: TransportWrapper = (t) => t, setup?: SessionSetup): Promise<TcpServer> {
  const sessions = new Set<DapSession>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const session = new DapSession(wrap(new StreamTransport(socket, socket)), target(), log);
    setup?.(session, socket);
    sessions.add(session);
    session.onEnd = () => sessions.delete(session);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (e) => log.error(`DAP server: ${e.message}`));
      const addr = server.address() as net.AddressInfo;
      resolve({
        port: addr.port,
        close: async () => {
          await Promise.all([...sessions].map((s) => s.end()));
          await new Promise<void>((r) => server.close(() => r()));
        },
      });
    });
  });
}
