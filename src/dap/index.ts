// The DAP layer's public surface.
export { DapSession, type DebugTarget, type SessionLog } from './dap-session.js';
export { serveStdio, serveTcp, type TcpServer } from './server.js';
export { LaunchTarget, WaitingScriptTarget } from './targets.js';
export { StreamTransport, type DapTransport } from './transport.js';
