// The debug commands of the terminal debugger and the REPL (`.break`, `.step`, `.locals`, …),
// on top of a Debuggee (an ExecutionManager, or a kernel over DAP). Any line that is not a command is Lua, evaluated in the
// selected frame when stopped (or run in the session by the REPL).
import type { Logger } from 'pino';
import type { StoppedEvent } from '../debug/index.js';
import type { Debuggee } from './debuggee.js';
import { logger, setTraceLevel, traceLevel, TRACE_LEVELS, type TraceLevel } from '../log/index.js';
import { NumberedBreakpoints, type BreakpointView } from './numbered-breakpoints.js';
import { matchProblem, relativeName, resolveUserFile, sourceLines } from './source-files.js';
import type { Style } from './style.js';

export interface ConsoleIO {
  print(text: string): void;
  style: Style;
}

/** What a command did: the front end waits for the next stop after 'resumed'. */
export type CommandResult = 'stay' | 'resumed' | 'quit';

export interface CommandSpec {
  names: string[];
  args?: string;
  help: string;
  /** Acts at once while the script runs (other lines wait for the next stop). */
  whileRunning?: boolean;
  run: (arg: string) => Promise<CommandResult>;
}

export interface ConsoleOptions {
  /** Files the script has loaded so far (bare names in `.break` match these first). */
  loadedFiles: () => string[];
  /** Folders searched for a bare file name that is not loaded yet. */
  searchRoots: string[];
  /** Commands of the front end (the REPL's `.load`), listed and completed with the others. */
  extraCommands?: CommandSpec[];
  /** Component name in the logs. */
  component: string;
  /** Asks the running script to stop (the front end may ask again until it does); false when nothing runs. */
  requestPause?: () => boolean;
}

const BREAK_SPEC = /^(?:(.+?):)?(\d+)(?:\s+if\s+(.+))?$/;

export class DebugConsole {
  private frameId = 1;
  private readonly watches: string[] = [];
  private readonly commands: CommandSpec[];
  private readonly log: Logger;
  private requestSeq = 0;
  private readonly breaks: NumberedBreakpoints;

  constructor(readonly em: Debuggee, private readonly io: ConsoleIO, private readonly opts: ConsoleOptions) {
    this.commands = [...this.table(), ...(opts.extraCommands ?? [])];
    this.log = logger(opts.component);
    this.breaks = new NumberedBreakpoints(em);
  }

  get commandNames(): string[] {
    return this.commands.flatMap((c) => c.names);
  }

  isCommand(line: string): boolean {
    return line.trim().startsWith('.');
  }

  /** Whether this line acts at once while the script runs (`.pause`). */
  actsWhileRunning(line: string): boolean {
    return !!this.find(line)?.spec?.whileRunning;
  }

  /** Logs one request (a command, an evaluated or run line); its number correlates the log lines it causes. */
  request(kind: string, text: string): number {
    const req = ++this.requestSeq;
    this.log.debug({ req, kind, text }, 'request');
    return req;
  }

  private find(line: string): { name: string; arg: string; spec?: CommandSpec } | null {
    const trimmed = line.trim();
    if (!trimmed.startsWith('.')) return null;
    const space = trimmed.search(/\s/);
    const name = space < 0 ? trimmed : trimmed.slice(0, space);
    const arg = space < 0 ? '' : trimmed.slice(space + 1).trim();
    return { name, arg, spec: this.commands.find((c) => c.names.includes(name)) };
  }

  /** Runs one command line; unknown commands are reported, not evaluated. */
  async command(line: string): Promise<CommandResult> {
    const found = this.find(line)!;
    const req = this.request('command', line.trim());
    if (!found.spec) {
      this.error(`unknown command ${found.name} (type .help for the list)`);
      this.log.debug({ req, result: 'unknown' }, 'done');
      return 'stay';
    }
    try {
      const r = await found.spec.run(found.arg);
      this.log.debug({ req, result: r }, 'done');
      return r;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.warn({ req, err: message }, 'command failed');
      this.error(`error: ${message}`);
      return 'stay';
    }
  }

  private error(text: string): void {
    this.io.print(this.io.style.red(text));
  }

  private table(): CommandSpec[] {
    return [
      { names: ['.break', '.b'], args: 'FILE:LINE [if COND]', help: 'set a breakpoint (LINE alone: in the current file)', run: (a) => this.setBreak(a) },
      { names: ['.delete', '.d'], args: 'N', help: 'delete breakpoint N', run: (a) => this.deleteBreak(a) },
      { names: ['.clear'], help: 'delete all breakpoints', run: () => this.clearBreaks() },
      { names: ['.breaks', '.bl'], help: 'list breakpoints', run: async () => { this.listBreaks(); return 'stay'; } },
      { names: ['.step', '.s'], help: 'step into the next line (entering calls)', run: () => this.resume('in') },
      { names: ['.next', '.n'], help: 'step over to the next line', run: () => this.resume('over') },
      { names: ['.out', '.o', '.finish'], help: 'run until the current function returns', run: () => this.resume('out') },
      { names: ['.continue', '.c'], help: 'continue running', run: () => this.resume('continue') },
      { names: ['.pause', '.p'], help: 'pause the running script (Ctrl-C does too)', whileRunning: true, run: async () => this.pause() },
      { names: ['.locals', '.l'], help: 'local variables of the selected frame', run: () => this.scope('Locals') },
      { names: ['.upvalues', '.u'], help: 'upvalues of the selected frame', run: () => this.scope('Upvalues') },
      { names: ['.globals', '.g'], help: 'global variables', run: () => this.scope('Globals') },
      { names: ['.stack', '.bt', '.where'], help: 'the call stack', run: () => this.stack() },
      { names: ['.frame', '.f'], args: 'N', help: 'select frame N (see .stack)', run: (a) => this.frameCommand(a) },
      { names: ['.up'], help: 'select the caller frame', run: () => this.moveFrame(1) },
      { names: ['.down'], help: 'select the called frame', run: () => this.moveFrame(-1) },
      { names: ['.watch', '.w'], args: 'EXPR', help: 'show EXPR at every stop', run: (a) => this.addWatch(a) },
      { names: ['.unwatch', '.uw'], args: 'N', help: 'remove watch N', run: (a) => this.removeWatch(a) },
      { names: ['.list', '.ls'], args: '[N]', help: 'source around the current line (N lines of context, 5 by default)', run: (a) => this.list(a) },
      { names: ['.trace'], args: 'on|off|LEVEL', help: 'log level of llmspell itself (JSON lines on stderr)', run: (a) => this.trace(a) },
      { names: ['.help', '.h', '.?'], help: 'this list', run: async () => { this.help(); return 'stay'; } },
      { names: ['.quit', '.q', '.exit'], help: 'end the session (and the script)', run: async () => 'quit' },
    ];
  }

  private help(): void {
    for (const c of this.commands) {
      const head = `${c.names[0]}${c.args ? ` ${c.args}` : ''}`;
      const alias = c.names.length > 1 ? this.io.style.dim(` (${c.names.slice(1).join(', ')})`) : '';
      this.io.print(`  ${head.padEnd(28)}${c.help}${alias}`);
    }
    this.io.print('  Any other line is Lua, evaluated in the selected frame: its value is printed.');
  }

  // ---- breakpoints ----

  private async setBreak(arg: string): Promise<CommandResult> {
    const m = BREAK_SPEC.exec(arg);
    if (!m) { this.error('usage: .break FILE:LINE [if COND]'); return 'stay'; }
    let file: string | undefined = m[1];
    if (file === undefined) {
      file = this.em.isStopped ? (await this.selectedFrame())?.source : undefined;
      if (!file) { this.error('usage: .break FILE:LINE [if COND] (LINE alone needs a stop in a file)'); return 'stay'; }
    }
    const problem = await this.addBreakpoint(file, Number(m[2]), m[3]);
    if (problem) this.error(problem);
    return 'stay';
  }

  /**
   * Adds a breakpoint where the user means (`--break-at` and `.break`) and says where it went;
   * returns what is wrong when the file name matches no file or several.
   */
  async addBreakpoint(name: string, line: number, condition: string | undefined): Promise<string | null> {
    const match = resolveUserFile(name, this.opts.loadedFiles(), this.opts.searchRoots);
    const problem = matchProblem(name, match, this.opts.searchRoots);
    if (problem || match.kind === 'ambiguous') return problem;
    const bp = await this.breaks.add(match.file, line, condition);
    this.io.print(`Breakpoint ${bp.n} at ${this.describe(bp)}`);
    return null;
  }

  /** "file:line if cond", and why it is not bound yet if it is not. */
  private describe(bp: BreakpointView): string {
    const cond = bp.condition ? ` if ${bp.condition}` : '';
    const state = bp.verified ? '' : ` ${this.io.style.yellow(`(${bp.message ?? 'pending'})`)}`;
    return `${relativeName(bp.file)}:${bp.line}${cond}${state}`;
  }

  private async deleteBreak(arg: string): Promise<CommandResult> {
    const n = Number(arg);
    if (!arg || !(await this.breaks.remove(n))) { this.error(`no breakpoint ${arg || '(missing N)'} (see .breaks)`); return 'stay'; }
    this.io.print(`Deleted breakpoint ${n}`);
    return 'stay';
  }

  private async clearBreaks(): Promise<CommandResult> {
    await this.breaks.clear();
    this.io.print('Deleted all breakpoints');
    return 'stay';
  }

  private listBreaks(): void {
    const list = this.breaks.list();
    if (!list.length) { this.io.print('No breakpoints.'); return; }
    for (const b of list) this.io.print(`  ${b.n}: ${this.describe(b)}`);
  }

  // ---- execution ----

  private async resume(action: 'continue' | 'in' | 'over' | 'out'): Promise<CommandResult> {
    if (!this.em.isStopped) { this.error('the script is not stopped'); return 'stay'; }
    this.frameId = 1;
    if (action === 'continue') await this.em.continue();
    else if (action === 'in') await this.em.stepIn();
    else if (action === 'over') await this.em.stepOver();
    else await this.em.stepOut();
    return 'resumed';
  }

  private pause(): CommandResult {
    if (this.em.isStopped) this.io.print(this.io.style.dim('(already stopped)'));
    else if (!(this.opts.requestPause ?? (() => this.pauseOnce()))()) this.io.print(this.io.style.dim('(nothing is running)'));
    return 'stay';
  }

  private pauseOnce(): boolean {
    if (!this.em.isRunning) return false;
    this.em.pause();
    return true;
  }

  // ---- inspection ----

  private async scope(name: 'Locals' | 'Upvalues' | 'Globals'): Promise<CommandResult> {
    if (!this.requireStopped()) return 'stay';
    const scopes = await this.em.scopes(this.frameId);
    const sc = scopes.find((x) => x.name === name);
    const vars = sc ? await this.em.variables(sc.ref) : [];
    if (!vars.length) this.io.print(this.io.style.dim(`(no ${name.toLowerCase()})`));
    for (const v of vars) this.io.print(`  ${this.io.style.cyan(v.name)} = ${v.value}`);
    return 'stay';
  }

  private async stack(): Promise<CommandResult> {
    if (!this.requireStopped()) return 'stay';
    const { frames } = await this.em.stackTrace();
    for (const f of frames) {
      if (f.kind === 'boundary') { this.io.print(this.io.style.dim(`  --- ${f.name} ---`)); continue; }
      const mark = f.id === this.frameId ? '>' : ' ';
      this.io.print(`${mark} #${f.id} ${f.name} at ${whereOf(f)}`);
    }
    return 'stay';
  }

  private async selectedFrame(): Promise<{ id: number; name: string; source?: string; origin?: string; line: number } | undefined> {
    const { frames } = await this.em.stackTrace();
    return frames.find((x) => x.id === this.frameId);
  }

  private async frameCommand(arg: string): Promise<CommandResult> {
    if (!arg) {
      if (!this.requireStopped()) return 'stay';
      const f = await this.selectedFrame();
      if (f) this.io.print(`#${f.id} ${f.name} at ${whereOf(f)}`);
      return 'stay';
    }
    return this.selectFrame(Number(arg));
  }

  private async moveFrame(by: 1 | -1): Promise<CommandResult> {
    if (!this.requireStopped()) return 'stay';
    const { frames } = await this.em.stackTrace();
    const ids = frames.filter((f) => f.kind !== 'boundary').map((f) => f.id);
    const next = by > 0 ? ids.find((id) => id > this.frameId) : [...ids].reverse().find((id) => id < this.frameId);
    if (next === undefined) { this.error(by > 0 ? 'already at the outermost frame' : 'already at the innermost frame'); return 'stay'; }
    return this.selectFrame(next);
  }

  private async selectFrame(id: number): Promise<CommandResult> {
    if (!this.requireStopped()) return 'stay';
    const { frames } = await this.em.stackTrace();
    const f = frames.find((x) => x.id === id);
    if (!Number.isInteger(id) || !f || f.kind === 'boundary') { this.error(`no frame ${id} (see .stack)`); return 'stay'; }
    this.frameId = id;
    this.io.print(`#${f.id} ${f.name} at ${whereOf(f)}`);
    if (f.source) this.printSource(f.source, f.line, 0);
    return 'stay';
  }

  private async addWatch(expr: string): Promise<CommandResult> {
    if (!expr) { this.error('usage: .watch EXPR'); return 'stay'; }
    this.watches.push(expr);
    this.io.print(`Watch ${this.watches.length}: ${expr}`);
    if (this.em.isStopped) await this.showWatch(this.watches.length - 1);
    return 'stay';
  }

  private async removeWatch(arg: string): Promise<CommandResult> {
    const n = Number(arg);
    if (!Number.isInteger(n) || !this.watches[n - 1]) { this.error(`no watch ${arg || '(missing N)'} (${this.watches.length} set)`); return 'stay'; }
    this.watches.splice(n - 1, 1);
    this.io.print(`Removed watch ${n}`);
    return 'stay';
  }

  private async showWatches(): Promise<void> {
    for (let i = 0; i < this.watches.length; i++) await this.showWatch(i);
  }

  private async showWatch(i: number): Promise<void> {
    const w = this.watches[i];
    let value: string;
    try {
      value = (await this.em.evaluate(w, this.frameId, 'watch')).value;
    } catch (e) {
      value = this.io.style.red(`<${e instanceof Error ? e.message : String(e)}>`);
    }
    this.io.print(`  ${this.io.style.dim(`watch ${i + 1}:`)} ${w} = ${value}`);
  }

  private async list(arg: string): Promise<CommandResult> {
    const context = arg ? Number(arg) : 5;
    if (!Number.isInteger(context) || context < 0) { this.error('usage: .list [N]'); return 'stay'; }
    if (!this.requireStopped()) return 'stay';
    const f = await this.selectedFrame();
    if (!f?.source) { this.io.print(this.io.style.dim('(no source for this frame)')); return 'stay'; }
    this.printSource(f.source, f.line, context);
    return 'stay';
  }

  printSource(file: string, line: number, context: number): void {
    const lines = sourceLines(file);
    const from = Math.max(1, line - context);
    const to = Math.min(lines.length, line + context);
    for (let i = from; i <= to; i++) {
      const marker = i === line ? this.io.style.green('->') : '  ';
      this.io.print(`${marker} ${String(i).padStart(4)} ${this.io.style.dim('|')} ${lines[i - 1] ?? ''}`);
    }
  }

  private async trace(arg: string): Promise<CommandResult> {
    if (!arg) { this.io.print(`Trace level: ${traceLevel() === 'silent' ? 'off' : traceLevel()}`); return 'stay'; }
    const level = arg === 'on' ? 'debug' : arg;
    if (!TRACE_LEVELS.includes(level as TraceLevel)) { this.error(`usage: .trace on|${TRACE_LEVELS.join('|')}`); return 'stay'; }
    setTraceLevel(level as TraceLevel);
    this.io.print(`Trace level: ${level}`);
    return 'stay';
  }

  private requireStopped(): boolean {
    if (this.em.isStopped) return true;
    this.error('the script is not stopped (.pause or a breakpoint stops it)');
    return false;
  }

  /** Evaluates a Lua line in the selected frame and prints its value. */
  async evaluate(line: string): Promise<void> {
    const req = this.request('evaluate', line);
    try {
      const r = await this.em.evaluate(line, this.frameId, 'repl');
      if (r.value !== '') this.io.print(r.value);
      this.log.debug({ req, type: r.type }, 'done');
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.debug({ req, err: message }, 'evaluation failed');
      this.error(`error: ${message}`);
    }
  }

  /** What the user sees at each stop: where, the line, and the watches. */
  async announceStop(stop: StoppedEvent): Promise<void> {
    this.frameId = 1;
    const { frames } = await this.em.stackTrace(0, 1);
    const top = frames[0];
    const where = top ? whereOf(top) : '?';
    const hit = this.breaks.numbersOf(stop.hitBreakpointIds);
    const reason = stop.reason === 'exception' ? `error: ${stop.description}`
      : stop.reason === 'breakpoint' && hit.length ? `breakpoint ${hit.join(', ')}`
        // Not one of ours: on a kernel, a breakpoint set from the CLI or the fleet.
        : stop.reason === 'breakpoint' && stop.hitBreakpointIds.length ? 'shared breakpoint' : stop.reason;
    this.log.info({ reason: stop.reason, where, hitBreakpointIds: stop.hitBreakpointIds }, 'stopped');
    this.io.print(`${this.io.style.bold('Stopped at')} ${where} (${reason})`);
    if (top?.source) this.printSource(top.source, top.line, 0);
    if (stop.reason === 'breakpoint' && stop.description.startsWith('Error in breakpoint condition')) this.error(stop.description);
    await this.showWatches();
  }

  /** Tab completion (readline's shape: candidates and the word they replace): commands, then Lua names and fields. */
  async complete(line: string): Promise<[string[], string]> {
    if (/^\s*\.\S*$/.test(line)) {
      const word = line.trim();
      return [this.commandNames.filter((n) => n.startsWith(word)), word];
    }
    // A whole Lua line, or the expression after `.watch`.
    const head = /^\s*\.\S+\s+/.exec(line)?.[0] ?? '';
    if (head && !/^\s*\.(watch|w)\s/.test(line)) return [[], ''];
    const expr = line.slice(head.length);
    if (!this.em.isStopped && this.em.isRunning) return [[], ''];
    const partial = /[A-Za-z_]\w*$/.exec(expr)?.[0] ?? '';
    try {
      const items = await this.em.completions(expr, expr.length + 1, this.em.isStopped ? this.frameId : undefined);
      return [items.map((i) => i.label).filter((l) => l.startsWith(partial)), partial];
    } catch {
      return [[], partial];
    }
  }
}

function whereOf(f: { source?: string; origin?: string; line: number }): string {
  if (f.source) return `${relativeName(f.source)}:${f.line}`;
  if (f.origin) return `${f.origin.replace(/^[=@]/, '')}:${f.line}`;
  return '[C]';
}
