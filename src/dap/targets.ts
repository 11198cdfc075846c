// Where a DAP session's script comes from: launched by the session itself (`llmspell dap`),
// or a script already started and waiting for a client (`llmspell debug --port`).
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { ExecutionManager, RuntimeThreads } from '../debug/index.js';
import type { DapSession, DebugTarget } from './dap-session.js';
import { waitForConfiguration } from './handlers/lifecycle.js';
import { TerminalRelay } from './terminal-relay.js';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// From dist/src/<layer> and from the CLI's bundle in dist/src/cli-bundle alike (scripts/bundle.mjs).
const cliPath = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/llmspell.js');

type Launch = P.LaunchRequestArguments & Record<string, unknown>;

/** Each `launch` starts a fresh runtime for the session. */
export class LaunchTarget implements DebugTarget {
  /**
   * For console integratedTerminal/externalTerminal: asks the client to open a terminal running
   * our relay. Falls back to the debug console (with a message) when the client cannot.
   */
  private async terminalFor(args: Launch, s: DapSession): Promise<TerminalRelay | null> {
    if (args.console !== 'integratedTerminal' && args.console !== 'externalTerminal') return null;
    const fallback = (why: string): null => {
      s.sendEvent('output', { category: 'console', output: `llmspell: ${why}; the script's output appears here and io.read sees end of input\n` });
      return null;
    };
    if (!s.clientSupportsRunInTerminal) return fallback(`this client cannot open a terminal (no runInTerminal support)`);
    const relay = await TerminalRelay.listen();
    const response = await s.reverseRequest('runInTerminal', {
      kind: args.console === 'externalTerminal' ? 'external' : 'integrated',
      title: `llmspell: ${path.basename(String(args.program))}`,
      cwd: String(args.cwd ?? process.cwd()),
      args: [process.execPath, cliPath(), 'terminal-relay', '--port', String(relay.port), '--token', relay.token],
    } satisfies P.RunInTerminalRequestArguments);
    if (!response.success) { relay.close(); return fallback(`the client could not open a terminal (${response.message ?? 'runInTerminal failed'})`); }
    if (!(await relay.connected)) return fallback('the terminal did not connect back');
    return relay;
  }

  async launch(args: Launch, s: DapSession): Promise<RuntimeThreads> {
    const em = new ExecutionManager();
    const debuggee = new RuntimeThreads(em);
    const debug = args.noDebug !== true;
    const relay = await this.terminalFor(args, s);
    await em.start({
      cwd: args.cwd as string,
      env: args.env ? { ...(process.env as Record<string, string>), ...(args.env as Record<string, string>) } : undefined,
      // Under `llmspell dap` on stdio the script must never read the protocol stream.
      stdin: relay ? 'inherit' : 'none',
      stdinStream: relay?.input,
      debug,
      stopOnEntry: args.stopOnEntry === true,
    });
    if (relay) {
      s.scriptOutput = (text) => relay.write(text);
      em.once('terminated', () => setTimeout(() => relay.close(), 50));
    }
    if (debug) await s.applyBreakpoints(debuggee);
    // Run once the client has sent its configuration (breakpoints), as the DAP sequence says.
    void waitForConfiguration(s).then(() => {
      if (!em.hasEnded) em.runProgram(args.program as string, ((args.args as string[] | undefined) ?? []).map(String));
    });
    return debuggee;
  }
}

/** A script started by the CLI and waiting: the first client to attach starts it running. */
export class WaitingScriptTarget implements DebugTarget {
  private started = false;
  private readonly debuggee: RuntimeThreads;
  constructor(private readonly em: ExecutionManager, private readonly program: string, private readonly args: string[]) {
    this.debuggee = new RuntimeThreads(em);
  }

  async attach(_args: P.AttachRequestArguments, s: DapSession): Promise<RuntimeThreads> {
    await s.applyBreakpoints(this.debuggee);
    if (!this.started) {
      this.started = true;
      void waitForConfiguration(s).then(() => this.em.runProgram(this.program, this.args));
    }
    return this.debuggee;
  }
}
