// A kernel's debugging service: the kernel's debuggee (its interactive ExecutionManager as
// thread 1, and the scripts `llmspell kernel run` starts as threads of their own), the
// MessageRouter over it, and DAP served on the connection file's dap_port (authenticated with
// its key). Without a dap_port (a connection file Jupyter wrote), a free loopback port is
// chosen and logged.
import { dapEndpoint } from './dap-endpoint.js';
import type { Logger } from 'pino';
import { RuntimeThreads, type ExecutionManager } from '../debug/index.js';
import type { ConnectionInfo } from '../jupyter/connection-file.js';
import { AuthThrottle } from './dap-auth.js';
import { serveKernelDap, type KernelDapServer } from './kernel-dap-server.js';
import { KernelScripts, maxScripts } from './kernel-scripts.js';
import { MessageRouter } from './message-router.js';

export interface KernelDebugService {
  readonly router: MessageRouter;
  /** The scripts the kernel runs beside its interactive session. */
  readonly scripts: KernelScripts;
  /** Failed authentications on any of the kernel's endpoints (dap_port, ws_port) back off together. */
  readonly throttle: AuthThrottle;
  /** Starts serving DAP; resolves with the port. Fails when dap_port cannot be bound. */
  listen(): Promise<number>;
  /** Tells every client the kernel is going (terminated) and closes the port. */
  close(): Promise<void>;
}

export function createKernelDebugService(info: ConnectionInfo, em: ExecutionManager, interrupt: () => void, log: Logger): KernelDebugService {
  const dapLog = log.child({ part: 'dap' });
  const debuggee = new RuntimeThreads(em);
  const router = new MessageRouter(debuggee, dapLog, interrupt, info.kernel_id ?? String(process.pid));
  const scripts = new KernelScripts(debuggee, log.child({ part: 'scripts' }), maxScripts());
  router.scripts = scripts;
  let server: KernelDapServer | null = null;
  const throttle = new AuthThrottle();
  return {
    router,
    scripts,
    throttle,
    async listen() {
      const { host, port } = dapEndpoint(info);
      try {
        server = await serveKernelDap(port, host, info.key, router, dapLog, throttle);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.message;
        throw new Error(`cannot serve DAP on ${host}:${port} (dap_port of the connection file): ${why}`);
      }
      if (info.dap_port === undefined) dapLog.warn({ host, dap_port: server.port }, `serving DAP on ${host}:${server.port} (the connection file names no dap_port: a free port was chosen)`);
      else dapLog.info({ host, dap_port: server.port }, 'DAP listening');
      return server.port;
    },
    async close() {
      await scripts.close();
      await router.shutdown();
      await server?.close();
      server = null;
    },
  };
}

export { dapEndpoint };
