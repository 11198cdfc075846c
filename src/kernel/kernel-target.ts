// What `attach` means on a kernel: the session debugs the kernel's own runtimes (thread 1, the
// one Jupyter cells, `dofile` and `require` run in, and a thread per script it runs), as one
// of the MessageRouter's clients. Nothing here ends the kernel's session: `terminate` stops
// the running cell, and a client that disconnects with terminateDebuggee only leaves.
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { DapError, DapErrorCode, type DapSession, type DebugTarget, type KernelScriptInfo, type RunScriptRequest, type RunScriptResult, type ThreadEventSource } from '../dap/index.js';
import type { RuntimeThreads } from '../debug/index.js';
import { ScriptRefused } from './kernel-scripts.js';
import type { MessageRouter } from './message-router.js';

export class KernelTarget implements DebugTarget {
  readonly describe = 'kernel';

  constructor(private readonly router: MessageRouter) {}

  async attach(args: P.AttachRequestArguments & Record<string, unknown>, session: DapSession): Promise<RuntimeThreads> {
    const debuggee = this.router.debuggee;
    if (debuggee.main.hasEnded) throw new Error("the kernel's session has ended: restart the kernel");
    // Breakpoints the client set before attaching reach the kernel now.
    await session.applyBreakpoints(debuggee);
    this.router.attachClient(session, args);
    return debuggee;
  }

  async runScript(req: RunScriptRequest): Promise<RunScriptResult> {
    const scripts = this.router.scripts;
    if (!scripts) throw new DapError(DapErrorCode.NotSupported, 'this kernel does not run scripts');
    const correlator = this.router.correlator;
    const request = correlator.request();
    let started;
    try {
      // The script's runtime is started outside this request, so that what later moves it
      // (a continue naming its thread) is what its events are tagged with.
      started = await correlator.outside(() => scripts.submit(req, (threadId) => { if (request) correlator.executionMovedBy(request, threadId); }));
    } catch (e) {
      if (e instanceof ScriptRefused) throw new DapError(DapErrorCode.Failed, e.message);
      throw e;
    }
    const result: RunScriptResult = { threadId: started.threadId, name: started.name, state: started.state };
    if (req.wait) result.exitCode = await started.ended;
    return result;
  }

  listScripts(): KernelScriptInfo[] {
    return this.router.scripts?.list() ?? [];
  }

  eventsFor(session: DapSession): ThreadEventSource {
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
