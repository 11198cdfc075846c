// Where a DAP session's script comes from: launched by the session itself (`llmspell dap`),
// or a script already started and waiting for a client (`llmspell debug --port`).
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { ExecutionManager } from '../debug/index.js';
import type { DapSession, DebugTarget } from './dap-session.js';
import { waitForConfiguration } from './handlers/lifecycle.js';

type Launch = P.LaunchRequestArguments & Record<string, unknown>;

/** Each `launch` starts a fresh runtime for the session. */
export class LaunchTarget implements DebugTarget {
  async launch(args: Launch, s: DapSession): Promise<ExecutionManager> {
    const em = new ExecutionManager();
    const debug = args.noDebug !== true;
    await em.start({
      cwd: args.cwd as string,
      env: args.env ? { ...(process.env as Record<string, string>), ...(args.env as Record<string, string>) } : undefined,
      stdin: 'none',
      debug,
      stopOnEntry: args.stopOnEntry === true,
    });
    if (debug) await s.applyBreakpoints(em);
    if (args.console === 'integratedTerminal' || args.console === 'externalTerminal') {
      s.sendEvent('output', { category: 'console', output: `llmspell: console '${String(args.console)}' is not available yet; the script's output appears here and io.read sees end of input\n` });
    }
    // Run once the client has sent its configuration (breakpoints), as the DAP sequence says.
    void waitForConfiguration(s).then(() => {
      if (!em.hasEnded) em.runProgram(args.program as string, ((args.args as string[] | undefined) ?? []).map(String));
    });
    return em;
  }
}

/** A script started by the CLI and waiting: the first client to attach starts it running. */
export class WaitingScriptTarget implements DebugTarget {
  private started = false;
  constructor(private readonly em: ExecutionManager, private readonly program: string, private readonly args: string[]) {}

  async attach(_args: P.AttachRequestArguments, s: DapSession): Promise<ExecutionManager> {
    await s.applyBreakpoints(this.em);
    if (!this.started) {
      this.started = true;
      void waitForConfiguration(s).then(() => this.em.runProgram(this.program, this.args));
    }
    return this.em;
  }
}
