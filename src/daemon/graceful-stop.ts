// A graceful shutdown's first half: the cell that runs (and any queued behind it) is
// interrupted so its execute_reply goes out, then every client hears on iopub that the kernel
// is going away. Bounded: a cell that ignores interrupts does not hold the shutdown.
import type { Logger } from 'pino';
import type { KernelServer } from '../jupyter/kernel-server.js';
import type { KernelFrontends } from '../jupyter/kernel-frontends.js';

const DRAIN_TIMEOUT_MS = 3000;
const POLL_MS = 50;

export async function drainForShutdown(server: KernelServer, sockets: KernelFrontends, log: Logger, timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  if (!server.shellIdle) log.info('interrupting the running cell before shutting down');
  while (!server.shellIdle && Date.now() < deadline) {
    server.interrupt();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (!server.shellIdle) log.warn(`a cell still runs after ${timeoutMs} ms: shutting down without its reply`);
  // What a kernel publishes when it shuts down on request; frontends take it as "kernel gone".
  await sockets.publish('shutdown_reply', null, { status: 'ok', restart: false });
}
