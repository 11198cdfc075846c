// What `attach` means on a kernel: the session debugs the kernel's own ExecutionManager (the
// one Jupyter cells, `dofile` and `require` run in), as one of the MessageRouter's clients.
// Nothing here ends the kernel's session: `terminate` stops the running cell, and a client
// that disconnects with terminateDebuggee only leaves.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapSession, DebugTarget } from '../dap/index.js';
import type { ExecutionEventSource, ExecutionManager } from '../debug/index.js';
import type { MessageRouter } from './message-router.js';

export class KernelTarget implements DebugTarget {
  readonly describe = 'kernel';

  constructor(private readonly router: MessageRouter) {}

  async attach(args: P.AttachRequestArguments & Record<string, unknown>, session: DapSession): Promise<ExecutionManager> {
    const em = this.router.em;
    if (em.hasEnded) throw new Error("the kernel's session has ended: restart the kernel");
    // Breakpoints the client set before attaching reach the kernel now.
    await session.applyBreakpoints(em);
    this.router.attachClient(session, args);
    return em;
  }

  eventsFor(session: DapSession): ExecutionEventSource {
    return this.router.eventsOf(session);
  }

  async detach(session: DapSession): Promise<void> {
    // terminateDebuggee is not honoured: the debuggee is the kernel, shared with other clients.
    await this.router.sessionEnded(session);
  }

  async terminate(): Promise<void> {
    this.router.interrupt();
  }
}
