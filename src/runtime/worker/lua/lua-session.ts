// One Lua state with its standard library bound to the real world (files, streams,
// environment), able to run a script file or chunk after chunk in the same state.
import * as path from 'node:path';
import type { RunOutcome, RuntimeOptions } from '../../protocol.js';
import type { InputSource, OutputSink } from '../stdio.js';
import { IoLibrary, stripShebang } from './io-library.js';
import { LuaVm, LUA_OK, LUA_ERRSYNTAX, LUA_TSTRING, LUA_TNUMBER, LUA_TNIL, VmUnwind, type LuaState } from './lua-vm.js';
import { installRequire, packagePath } from './require.js';
import { ProtectedCalls } from './debugger/protected-calls.js';
import { TopLevelCalls } from './top-level-calls.js';
import { installWarnings } from './warnings.js';
import type { Debugger } from './debugger/debugger.js';

const encoder = new TextEncoder();

export class LuaSession {
  private msghRef = 0;
  private lastTraceback = '';
  /** Set once the VM was unwound by os.exit or terminate: its C state is no longer usable. */
  dead = false;

  /** Set by the worker when it attaches the debugger. */
  debugger: Debugger | null = null;
  readonly calls: ProtectedCalls;
  private readonly topLevel: TopLevelCalls;

  private constructor(readonly vm: LuaVm, private readonly io: IoLibrary, private readonly options: RuntimeOptions) {
    this.calls = new ProtectedCalls(vm);
    this.calls.install();
    this.topLevel = new TopLevelCalls(vm);
    this.topLevel.install();
  }

  /** Asked by the main thread while a chunk runs: see top-level-calls.ts. */
  reenterInterpreter(): void {
    this.topLevel.requestReentry();
  }

  get reentries(): number { return this.topLevel.reentries; }

  static async create(options: RuntimeOptions, out: OutputSink, input: InputSource): Promise<LuaSession> {
    const vm = await LuaVm.create(options.env);
    vm.openLibs();
    const resolve = (p: string): string => path.resolve(options.cwd, p);
    const io = new IoLibrary({ vm, out, input, resolve, env: options.env });
    io.install();
    installWarnings(vm, out);
    io.rememberStdHandles();
    const session = new LuaSession(vm, io, options);
    installRequire(vm, io, resolve, packagePath(options.cwd, options.env));
    session.installMessageHandler();
    return session;
  }

  get version(): string {
    const L = this.vm.L;
    this.vm.getGlobal(L, '_VERSION');
    const v = this.vm.toStr(L, -1) ?? 'Lua';
    this.vm.pop(L, 1);
    return v;
  }

  /** The message handler for every top-level call: adds the traceback, as the standalone lua does. */
  private installMessageHandler(): void {
    const { vm } = this;
    const L = vm.L;
    vm.pushFunction(L, (L1: LuaState) => {
      this.debugger?.onUncaught(L1);
      // As lua.c's handler: strings and numbers get a traceback; an object with __tostring is
      // shown as that text alone; anything else is named by its type.
      let msg: string;
      const t = vm.type(L1, 1);
      if (t === LUA_TSTRING || t === LUA_TNUMBER) msg = vm.toStr(L1, 1)!;
      else if (vm.getMetaField(L1, 1, '__tostring')) {
        vm.pop(L1, 1);
        this.lastTraceback = '';
        vm.pushString(L1, vm.toDisplayString(L1, 1));
        return 1;
      } else msg = `(error object is a ${vm.typeName(L1, 1)} value)`;
      vm.traceback(L1, L1, null, 1);
      this.lastTraceback = TopLevelCalls.withoutRunnerFrame(vm.toStr(L1, -1) ?? '');
      vm.pop(L1, 1);
      vm.pushString(L1, msg);
      return 1;
    });
    this.msghRef = vm.ref(L);
  }

  /** Runs a script file as `lua script.lua args...` does: `arg` table, `...`, module path beside it. */
  runFile(file: string, args: string[]): RunOutcome {
    const { vm } = this;
    const L = vm.L;
    const abs = path.resolve(this.options.cwd, file);
    const src = this.io.readSource(abs);
    if (typeof src === 'string') return { status: 'error', kind: 'load', message: src };
    this.setArgTable(file, args);
    // Modules beside the script come first.
    vm.getGlobal(L, 'package');
    vm.pushString(L, packagePath(path.dirname(abs), this.options.env));
    vm.setField(L, -2, 'path');
    vm.pop(L, 1);
    return this.loadAndCall(stripShebang(src), `@${abs}`, args, false);
  }

  /** arg[0] is the script as named, arg[1..n] the arguments, arg[-1] the interpreter. */
  private setArgTable(script: string, args: string[]): void {
    const { vm } = this;
    const L = vm.L;
    vm.newTable(L);
    vm.pushString(L, 'llmspell'); vm.rawSetI(L, -2, -1);
    vm.pushString(L, script); vm.rawSetI(L, -2, 0);
    args.forEach((a, i) => { vm.pushString(L, a); vm.rawSetI(L, -2, i + 1); });
    vm.setGlobal(L, 'arg');
  }

  /** Runs a chunk in the persistent state. With wantValues, an expression's values come back. */
  runChunk(code: string, name: string, wantValues: boolean, args?: string[]): RunOutcome {
    const bytes = encoder.encode(code);
    if (args) {
      // `lua -e CODE args...`: the arguments are the chunk's `...` and arg[1..n].
      this.setArgTable(name.replace(/^[=@]/, ''), args);
      return this.loadAndCall(bytes, name, args, false);
    }
    if (wantValues) {
      // As the standalone REPL does: try `return <code>` first, then the code as statements.
      const { vm } = this;
      const status = this.compiles(`return ${code}`, name);
      if (status === LUA_OK) return this.loadAndCall(encoder.encode(`return ${code}`), name, [], true);
      // Statements then a final expression (a notebook cell): show the last line's value.
      const lines = code.replace(/\s+$/, '').split('\n');
      if (lines.length > 1) {
        const last = lines.pop()!;
        const split = `${lines.join('\n')}\nreturn ${last}`;
        const st = this.compiles(split, name);
        if (st === LUA_OK && !/^\s*(local|return|end|until|break|goto)\b/.test(last)) return this.loadAndCall(encoder.encode(split), name, [], true);
      }
    }
    return this.loadAndCall(bytes, name, [], wantValues);
  }

  /** Compiles without running or registering the chunk; returns the load status. */
  private compiles(code: string, name: string): number {
    const { vm } = this;
    const listener = vm.onChunkLoaded;
    vm.onChunkLoaded = null;
    try {
      const status = vm.load(vm.L, encoder.encode(code), name);
      vm.pop(vm.L, 1);
      return status;
    } finally {
      vm.onChunkLoaded = listener;
    }
  }

  /** As the standalone REPL decides whether to read another line: a syntax error at <eof> means more is coming. */
  checkComplete(code: string): { status: 'complete' | 'incomplete' | 'invalid'; message?: string } {
    const { vm } = this;
    const L = vm.L;
    const listener = vm.onChunkLoaded;
    vm.onChunkLoaded = null;
    try {
      let sawEof = false;
      for (const candidate of [`return ${code}`, code]) {
        const status = vm.load(L, encoder.encode(candidate), '=stdin', 't');
        const msg = status === LUA_OK ? null : vm.toStr(L, -1) ?? '';
        vm.pop(L, 1);
        if (msg === null) return { status: 'complete' };
        // An expression or a statement cut short ("1 +", "function f()") fails at <eof>.
        if (msg.endsWith('<eof>')) sawEof = true;
        if (candidate === code) return sawEof ? { status: 'incomplete' } : { status: 'invalid', message: msg };
      }
      return { status: 'invalid' };
    } finally {
      vm.onChunkLoaded = listener;
    }
  }

  private loadAndCall(src: Uint8Array, chunkName: string, args: string[], wantValues: boolean): RunOutcome {
    const { vm } = this;
    const L = vm.L;
    const base = vm.getTop(L);
    vm.getRef(L, this.msghRef);
    const status = vm.load(L, src, chunkName);
    if (status !== LUA_OK) {
      const message = vm.toStr(L, -1) ?? 'unknown load error';
      vm.setTop(L, base);
      return { status: 'error', kind: status === LUA_ERRSYNTAX ? 'syntax' : 'load', message };
    }
    for (const a of args) vm.pushString(L, a);
    this.debugger?.beforeRun();
    try {
      this.lastTraceback = '';
      const rc = this.topLevel.call(base + 1, args.length);
      if (rc !== LUA_OK) {
        const message = vm.toStr(L, -1) ?? '';
        const traceback = this.lastTraceback;
        vm.setTop(L, base);
        return { status: 'error', kind: 'runtime', message, traceback };
      }
      const values: string[] = [];
      if (wantValues) for (let i = base + 2; i <= vm.getTop(L); i++) values.push(vm.toDisplayString(L, i));
      vm.setTop(L, base);
      return { status: 'ok', values };
    } catch (e) {
      if (e instanceof VmUnwind) {
        this.dead = true;
        return e.reason === 'exit' ? { status: 'exit', code: e.code } : { status: 'terminated' };
      }
      throw e;
    } finally {
      this.debugger?.afterRun();
    }
  }
}

export { LUA_TNIL };
