// The DAP layer's public surface.
export { DapSession, type DebugTarget, type KernelScriptInfo, type RunScriptRequest, type RunScriptResult, type SessionHooks, type SessionLog, type ThreadEventSource } from './dap-session.js';
export { LIST_SCRIPTS, RUN_SCRIPT } from './handlers/scripts.js';
export { badArgs, DapError, DapErrorCode, expectType } from './errors.js';
export { serveStdio, serveTcp, type TcpServer, type TransportWrapper } from './server.js';
export { LaunchTarget, WaitingScriptTarget } from './targets.js';
export { StreamTransport, TransportListeners, type DapTransport } from './transport.js';
export { MAX_MESSAGE } from './framing.js';
export { DapClient, DapRequestError } from './dap-client.js';
export { WebSocketTransport } from './websocket-transport.js';
