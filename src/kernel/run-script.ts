// Runs one script to completion on a fresh runtime, wired to this process's streams:
// what `llmspell run` does. Exit codes follow the standalone `lua`: 0, 1 on error, os.exit's
// code, and 130 when interrupted.
import { ScriptRuntime, takePrestartedRuntime, type RunOutcome } from '../runtime/index.js';

export type ScriptSource = { kind: 'file'; path: string } | { kind: 'code'; code: string };

export interface RunScriptOptions {
  source: ScriptSource;
  args: string[];
  cwd?: string;
  /** Where the script's output and our error reports go. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const EXIT_INTERRUPTED = 130;
/** Exit code for a problem with how we were asked to run (missing file, bad flag). */
export const EXIT_USAGE = 2;

/** Text for the user and the exit code an outcome stands for. */
export function describeOutcome(outcome: RunOutcome): { report: string; code: number } {
  switch (outcome.status) {
    case 'ok':
      return { report: '', code: 0 };
    case 'exit':
      return { report: '', code: outcome.code };
    case 'terminated':
      return { report: '', code: EXIT_INTERRUPTED };
    case 'error':
      if (outcome.kind === 'load') return { report: `llmspell: ${outcome.message}\n`, code: EXIT_USAGE };
      return { report: outcome.traceback ? `${outcome.message}\n${outcome.traceback}\n` : `${outcome.message}\n`, code: 1 };
  }
}

export class ScriptRun {
  private readonly runtime: ScriptRuntime;
  private interrupted = false;
  private brokenPipe = false;

  constructor(private readonly opts: RunScriptOptions) {
    // `llmspell run` may have started this runtime while the command line loaded (src/cli/prestart.ts).
    // Nothing debugs a plain run: its worker starts without the debugger, sooner.
    const options = { cwd: opts.cwd, stdin: 'inherit' as const, debugger: false };
    this.runtime = takePrestartedRuntime(options) ?? new ScriptRuntime(options);
    this.runtime.on('output', (stream, data) => (stream === 'stdout' ? opts.stdout : opts.stderr).write(data));
    // A reader that goes away (`llmspell run x.lua | head -1`) ends the run quietly, as lua does.
    for (const s of [opts.stdout, opts.stderr]) {
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') { this.brokenPipe = true; void this.runtime.stop(); }
      });
    }
  }

  /** Stops the script at once (Ctrl-C); the run then resolves with EXIT_INTERRUPTED. */
  interrupt(): void {
    this.interrupted = true;
    void this.runtime.stop();
  }

  async run(): Promise<number> {
    try {
      try {
        await this.runtime.start();
      } catch (e) {
        if (this.interrupted) return EXIT_INTERRUPTED; // Ctrl-C while the runtime was booting
        throw e;
      }
      const { source, args } = this.opts;
      const outcome = source.kind === 'file'
        ? await this.runtime.runFile(source.path, args)
        : await this.runtime.runChunk(source.code, '=(command line)', false, args);
      if (this.brokenPipe) return 0;
      const { report, code } = describeOutcome(this.interrupted ? { status: 'terminated' } : outcome);
      if (report) this.opts.stderr.write(report);
      return code;
    } finally {
      await this.runtime.stop();
    }
  }
}
