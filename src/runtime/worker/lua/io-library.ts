// Lua's `io` library and the file parts of `os`, `loadfile` and `dofile`, on the real file
// system. wasmoon's C io library only sees Emscripten's in-memory file system, so these
// replace it with the same names, arguments, results and error messages as stock Lua 5.4.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { InputSource, OutputSink } from '../stdio.js';
import {
  LuaRaise, LuaVm, LUA_MULTRET, LUA_REGISTRYINDEX, LUA_TNONE, LUA_TNIL, LUA_TNUMBER, LUA_TSTRING, LUA_TTABLE,
  VmUnwind, upvalueIndex, type LuaState,
} from './lua-vm.js';

// node:child_process (with net, dgram and the rest it loads) is 2 ms of a worker's start-up;
// only os.execute and io.popen need it.
type ChildProcessModule = typeof import('node:child_process');
let childProcessModule: ChildProcessModule | null = null;
const childProcess = (): ChildProcessModule => (childProcessModule ??= createRequire(import.meta.url)('node:child_process') as ChildProcessModule);

const FILE_MT = 'FILE*';
/** luaL_loadfilex's status for a file it cannot open or read. */
const LUA_ERRFILE = 6;

/** strerror() texts for the errors a script can meet, as C's io library reports them. */
const ERRNO_TEXT: Record<string, [string, number]> = {
  ENOENT: ['No such file or directory', 2],
  EACCES: ['Permission denied', 13],
  EISDIR: ['Is a directory', 21],
  ENOTDIR: ['Not a directory', 20],
  EEXIST: ['File exists', 17],
  EBADF: ['Bad file descriptor', 9],
  ENOTEMPTY: ['Directory not empty', 39],
  EXDEV: ['Invalid cross-device link', 18],
  EROFS: ['Read-only file system', 30],
  ESPIPE: ['Illegal seek', 29],
  EPERM: ['Operation not permitted', 1],
};

function errnoOf(e: unknown): [string, number] {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return ERRNO_TEXT[code] ?? [(e as Error).message, 5];
}

/** The error io.lines, io.input and io.output raise for a file they cannot open (opencheckfile). */
function cannotOpenFile(name: string, e: unknown): string {
  return `cannot open file '${name}' (${errnoOf(e)[0]})`;
}

class LuaFile {
  closed = false;
  /** The error of the last failed read (as C's ferror), reported by the read that met it. */
  error: unknown = null;
  /** Bytes read ahead of `pos` (regular files) or of the stream (stdin). */
  buf: Uint8Array = new Uint8Array(0);
  off = 0;
  pos = 0;
  constructor(
    readonly kind: 'file' | 'stdin' | 'stdout' | 'stderr',
    readonly fd: number | null,
    readonly canRead: boolean,
    readonly canWrite: boolean,
    readonly append = false,
    readonly input: InputSource | null = null,
    /** For io.popen: the command, run when opened ('r') or with what was written when closed ('w'). */
    readonly pipe: PipeCommand | null = null,
  ) {}

  get isStd(): boolean { return this.kind !== 'file'; }

  /** Appends more bytes to the read-ahead buffer; false at end of file or on an error (kept in `error`). */
  fill(): boolean {
    let chunk: Uint8Array | null;
    try {
      if (this.input) {
        chunk = this.input.read(65536);
      } else {
        const b = Buffer.allocUnsafe(65536);
        const n = fs.readSync(this.fd!, b, 0, b.length, this.pos + (this.buf.length - this.off));
        chunk = n === 0 ? null : b.subarray(0, n);
      }
    } catch (e) {
      if (e instanceof Error && 'code' in e) { this.error = e; return false; }
      throw e; // not an I/O error: terminate and the like must go through
    }
    if (!chunk || chunk.length === 0) return false;
    const rest = this.buf.subarray(this.off);
    const merged = new Uint8Array(rest.length + chunk.length);
    merged.set(rest, 0);
    merged.set(chunk, rest.length);
    this.buf = merged;
    this.off = 0;
    return true;
  }
  available(): number { return this.buf.length - this.off; }
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.off, this.off + n);
    this.off += n;
    this.pos += n;
    return out;
  }
  /** Drops read-ahead data (before a write or a seek), keeping the logical position. */
  dropBuffer(): void { this.buf = new Uint8Array(0); this.off = 0; }
}

interface PipeCommand {
  command: string;
  /** What a 'w' pipe was given, fed to the command's stdin on close. */
  written: Uint8Array[];
  /** The command's ending, known once it ran. */
  status: { ok: boolean; what: 'exit' | 'signal'; code: number } | null;
}

/** Reads a buffer already in memory (what an io.popen 'r' command printed). */
class BufferInput implements InputSource {
  constructor(private data: Uint8Array) {}
  read(max: number): Uint8Array | null {
    if (this.data.length === 0) return null;
    const out = this.data.subarray(0, max);
    this.data = this.data.subarray(out.length);
    return out;
  }
}

export interface IoLibraryOptions {
  vm: LuaVm;
  out: OutputSink;
  input: InputSource;
  /** Resolves a path a script names against the session's working directory. */
  resolve: (p: string) => string;
  /** The environment the script sees (os.getenv), also given to commands it runs. */
  env?: Record<string, string>;
}

export class IoLibrary {
  private readonly files = new Map<number, LuaFile>();
  private nextId = 1;
  private readonly vm: LuaVm;
  private stdinId = 0;
  private stdoutId = 0;
  private defaultInput = 0;
  private defaultOutput = 0;
  private linesIterPtr = 0;
  /** dofile's continuation: the chunk it runs may yield, as with lua5.4's dofile. */
  private dofileDonePtr = 0;

  constructor(private readonly opts: IoLibraryOptions) {
    this.vm = opts.vm;
  }

  /** Replaces `io`, parts of `os`, `loadfile`, `dofile` and `print` in the VM's globals. */
  install(): void {
    const { vm } = this;
    const L = vm.L;
    this.installFileMetatable(L);
    this.linesIterPtr = vm.registerFunction((L1) => this.linesIterator(L1));
    this.dofileDonePtr = vm.raw.addFunction(((L1: LuaState) => vm.getTop(L1) - 1) as never, 'iiii');

    vm.newTable(L);
    this.stdinId = this.pushNewFile(L, new LuaFile('stdin', 0, true, false, false, this.opts.input));
    vm.setField(L, -2, 'stdin');
    this.stdoutId = this.pushNewFile(L, new LuaFile('stdout', 1, false, true));
    vm.setField(L, -2, 'stdout');
    this.pushNewFile(L, new LuaFile('stderr', 2, false, true));
    vm.setField(L, -2, 'stderr');
    this.defaultInput = this.stdinId;
    this.defaultOutput = this.stdoutId;
    const io: Record<string, (L: LuaState) => number> = {
      open: (L1) => this.open(L1),
      close: (L1) => (vm.type(L1, 1) === LUA_TNONE ? this.closeFile(L1, this.defaultOutput) : this.closeFile(L1, this.checkFile(L1, 1))),
      read: (L1) => this.read(L1, this.defaultInput, 1),
      write: (L1) => this.write(L1, this.defaultOutput, 1, false),
      lines: (L1) => this.ioLines(L1),
      input: (L1) => this.selectDefault(L1, 'input'),
      output: (L1) => this.selectDefault(L1, 'output'),
      type: (L1) => this.ioType(L1),
      tmpfile: (L1) => this.tmpfile(L1),
      popen: (L1) => this.popen(L1),
      flush: (L1) => {
        const f = this.files.get(this.defaultOutput)!;
        if (f.closed) this.raise(L1, 'default output file is closed');
        vm.pushBoolean(L1, true);
        return 1;
      },
    };
    for (const [name, fn] of Object.entries(io)) { vm.pushFunction(L, fn); vm.setField(L, -2, name); }
    // package.loaded.io too: `require 'io'` gets this table, and argument errors name the
    // function as 'io.open' (luaL_argerror looks functions up in package.loaded).
    vm.getField(L, LUA_REGISTRYINDEX, '_LOADED');
    vm.pushValue(L, -2);
    vm.setField(L, -2, 'io');
    vm.pop(L, 1);
    vm.setGlobal(L, 'io');

    vm.getGlobal(L, 'os');
    const osFns: Record<string, (L: LuaState) => number> = {
      exit: (L1) => this.exit(L1),
      remove: (L1) => this.fileResult(L1, () => {
        const p = this.opts.resolve(this.checkString(L1, 1));
        if (fs.statSync(p).isDirectory()) fs.rmdirSync(p); else fs.unlinkSync(p);
      }, this.checkString(L1, 1)),
      rename: (L1) => {
        const from = this.opts.resolve(this.checkString(L1, 1));
        const to = this.opts.resolve(this.checkString(L1, 2));
        return this.fileResult(L1, () => fs.renameSync(from, to), null);
      },
      tmpname: (L1) => this.tmpname(L1),
      execute: (L1) => this.execute(L1),
    };
    for (const [name, fn] of Object.entries(osFns)) { vm.pushFunction(L, fn); vm.setField(L, -2, name); }
    vm.pop(L, 1);

    vm.pushFunction(L, (L1) => this.print(L1));
    vm.setGlobal(L, 'print');
    vm.pushFunction(L, (L1) => this.loadfile(L1));
    vm.setGlobal(L, 'loadfile');
    vm.pushFunction(L, (L1) => this.dofile(L1));
    vm.setGlobal(L, 'dofile');
  }

  /** Reads a whole file for the loaders (require, loadfile): bytes, or an error text. */
  readSource(p: string): Uint8Array | string {
    try {
      return fs.readFileSync(p);
    } catch (e) {
      const what = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'read' : 'open';
      return `cannot ${what} ${p}: ${errnoOf(e)[0]}`;
    }
  }

  private installFileMetatable(L: LuaState): void {
    const { vm } = this;
    // The stock io library's stdin/stdout/stderr become garbage once `io` is replaced. Their
    // finaliser checks them against the registry's "FILE*", ours from here on, and fails
    // ("FILE* expected, got FILE*", a warning once warnings are on); they close nothing anyway.
    if (vm.getField(L, LUA_REGISTRYINDEX, FILE_MT) === LUA_TTABLE) {
      vm.pushNil(L); vm.setField(L, -2, '__gc');
      vm.pushNil(L); vm.setField(L, -2, '__close');
    }
    vm.pop(L, 1);
    vm.newTable(L); // metatable
    vm.pushString(L, FILE_MT);
    vm.setField(L, -2, '__name');
    vm.newTable(L); // methods
    const methods: Record<string, (L: LuaState) => number> = {
      read: (L1) => this.read(L1, this.checkFile(L1, 1), 2),
      write: (L1) => this.write(L1, this.checkFile(L1, 1), 2, true),
      lines: (L1) => { this.checkFile(L1, 1); return this.pushLines(L1, 1, false); },
      close: (L1) => this.closeFile(L1, this.checkFile(L1, 1)),
      seek: (L1) => this.seek(L1),
      flush: (L1) => { this.checkFile(L1, 1); vm.pushBoolean(L1, true); return 1; },
      setvbuf: (L1) => { this.checkFile(L1, 1); vm.pushBoolean(L1, true); return 1; },
    };
    for (const [name, fn] of Object.entries(methods)) { vm.pushFunction(L, fn); vm.setField(L, -2, name); }
    vm.setField(L, -2, '__index');
    const gc = (L1: LuaState): number => {
      const f = this.files.get(this.fileId(L1, 1));
      if (f && !f.closed && !f.isStd) this.doClose(f);
      return 0;
    };
    vm.pushFunction(L, gc); vm.setField(L, -2, '__gc');
    vm.pushFunction(L, gc); vm.setField(L, -2, '__close');
    vm.pushFunction(L, (L1) => {
      const id = this.fileId(L1, 1);
      const f = this.files.get(id);
      vm.pushString(L1, f && !f.closed ? `file (0x${vm.toUserdata(L1, 1).toString(16).padStart(8, '0')})` : 'file (closed)');
      return 1;
    });
    vm.setField(L, -2, '__tostring');
    vm.setField(L, LUA_REGISTRYINDEX, FILE_MT);
  }

  private pushNewFile(L: LuaState, f: LuaFile): number {
    const id = this.nextId++;
    this.files.set(id, f);
    const ud = this.vm.newUserdata(L, 4);
    this.vm.raw.HEAP32[ud >> 2] = id;
    this.vm.getField(L, LUA_REGISTRYINDEX, FILE_MT);
    this.vm.setMetatable(L, -2);
    return id;
  }

  /** The id of the file handle at idx, or 0 when it is not one. */
  private fileId(L: LuaState, idx: number): number {
    const { vm } = this;
    const raw = vm.raw;
    const ud = raw._luaL_testudata(L, idx, vm.cstr(FILE_MT));
    return ud ? vm.raw.HEAP32[ud >> 2] : 0;
  }

  private checkFile(L: LuaState, idx: number): number {
    const id = this.fileId(L, idx);
    if (!id) this.argError(L, idx, `FILE* expected, got ${this.vm.typeName(L, idx)}`);
    if (this.files.get(id)!.closed) this.raise(L, 'attempt to use a closed file');
    return id;
  }

  private argError(L: LuaState, arg: number, msg: string): never {
    const raw = this.vm.raw;
    return this.vm.withBytes(new TextEncoder().encode(msg), (p) => raw._luaL_argerror(L, arg, p));
  }

  /** As luaL_error: raises `msg` prefixed with the calling Lua code's "file:line: ". */
  private raise(L: LuaState, msg: string): never {
    const { vm } = this;
    vm.raw._luaL_where(L, 1);
    const where = vm.toStr(L, -1) ?? '';
    vm.pop(L, 1);
    throw new LuaRaise(where + msg);
  }

  /** luaL_checkinteger: an integer, or a number/string convertible to one; raises otherwise. */
  private checkInteger(L: LuaState, idx: number): bigint {
    return this.vm.raw._luaL_checkinteger(L, idx);
  }

  private checkString(L: LuaState, idx: number): string {
    const t = this.vm.type(L, idx);
    if (t !== LUA_TSTRING && t !== LUA_TNUMBER) {
      this.argError(L, idx, `string expected, got ${t === LUA_TNONE ? 'no value' : this.vm.typeName(L, idx)}`);
    }
    return this.vm.toStr(L, idx)!;
  }

  /** As luaL_fileresult: true, or nil, "name: strerror" (just strerror without a name), errno. */
  private fileResult(L: LuaState, action: () => void, name: string | null): number {
    try {
      action();
      this.vm.pushBoolean(L, true);
      return 1;
    } catch (e) {
      const [text, code] = errnoOf(e);
      this.vm.pushNil(L);
      this.vm.pushString(L, name === null ? text : `${name}: ${text}`);
      this.vm.pushInteger(L, code);
      return 3;
    }
  }

  private open(L: LuaState): number {
    const name = this.checkString(L, 1);
    const mode = this.vm.type(L, 2) <= LUA_TNIL ? 'r' : this.checkString(L, 2);
    if (!/^[rwa]\+?b*$/.test(mode)) this.argError(L, 2, 'invalid mode');
    const flags = mode.replace(/b/g, '');
    try {
      const fd = fs.openSync(this.opts.resolve(name), flags);
      if (fs.fstatSync(fd).isDirectory() && flags !== 'r') { fs.closeSync(fd); throw Object.assign(new Error(), { code: 'EISDIR' }); }
      const plus = flags.includes('+');
      const f = new LuaFile('file', fd, flags[0] === 'r' || plus, flags[0] !== 'r' || plus, flags[0] === 'a');
      if (flags === 'a') f.pos = fs.fstatSync(fd).size;
      this.pushNewFile(L, f);
      return 1;
    } catch (e) {
      const [text, code] = errnoOf(e);
      this.vm.pushNil(L);
      this.vm.pushString(L, `${name}: ${text}`);
      this.vm.pushInteger(L, code);
      return 3;
    }
  }

  /** os.tmpname: as lua_tmpnam with mkstemp, a new empty file named /tmp/lua_XXXXXX. */
  private tmpname(L: LuaState): number {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (let attempt = 0; attempt < 100; attempt++) {
      let suffix = '';
      for (let i = 0; i < 6; i++) suffix += chars[Math.floor(Math.random() * chars.length)];
      const p = path.join(os.tmpdir(), `lua_${suffix}`);
      try {
        fs.closeSync(fs.openSync(p, 'wx', 0o600));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        break;
      }
      this.vm.pushString(L, p);
      return 1;
    }
    return this.raise(L, 'unable to generate a unique filename');
  }

  private tmpfile(L: LuaState): number {
    const p = path.join(os.tmpdir(), `lua_tmp_${process.pid}_${this.nextId}`);
    const fd = fs.openSync(p, 'w+');
    fs.unlinkSync(p);
    this.pushNewFile(L, new LuaFile('file', fd, true, true));
    return 1;
  }

  private doClose(f: LuaFile): void {
    f.closed = true;
    if (f.fd !== null && !f.isStd) fs.closeSync(f.fd);
    if (f.pipe && f.canWrite) this.runCommand(f.pipe, Buffer.concat(f.pipe.written), false);
  }

  private closeFile(L: LuaState, id: number): number {
    const f = this.files.get(id)!;
    if (f.closed) this.raise(L, 'attempt to use a closed file');
    if (f.isStd) {
      this.vm.pushNil(L);
      this.vm.pushString(L, 'cannot close standard file');
      return 2;
    }
    this.doClose(f);
    if (f.pipe?.status) return this.pushExecResult(L, f.pipe.status);
    this.vm.pushBoolean(L, true);
    return 1;
  }

  /**
   * io.popen(prog [, mode]) as far as a worker can: the command runs through /bin/sh in the
   * session's directory, at once for 'r' (its output is then read from the handle) or at close
   * for 'w' (fed what was written); close returns its status as os.execute does.
   */
  private popen(L: LuaState): number {
    const command = this.checkString(L, 1);
    const mode = this.vm.type(L, 2) <= LUA_TNIL ? 'r' : this.checkString(L, 2);
    if (mode !== 'r' && mode !== 'w') this.argError(L, 2, 'invalid mode');
    const pipe: PipeCommand = { command, written: [], status: null };
    let input: InputSource | null = null;
    if (mode === 'r') input = new BufferInput(this.runCommand(pipe, null, true));
    this.pushNewFile(L, new LuaFile('file', null, mode === 'r', mode === 'w', false, input, pipe));
    return 1;
  }

  /** Runs a shell command to its end; returns its stdout when captured, else passes it on. */
  private runCommand(pipe: PipeCommand, stdin: Uint8Array | null, capture: boolean): Uint8Array {
    const r = childProcess().spawnSync('/bin/sh', ['-c', pipe.command], {
      cwd: this.opts.resolve('.'),
      env: this.opts.env,
      input: stdin ?? undefined,
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
    });
    if (!capture && r.stdout?.length) this.opts.out('stdout', r.stdout);
    if (r.stderr?.length) this.opts.out('stderr', r.stderr);
    pipe.status = r.signal
      ? { ok: false, what: 'signal', code: os.constants.signals[r.signal] ?? 0 }
      : { ok: r.status === 0, what: 'exit', code: r.status ?? 1 };
    return capture ? r.stdout ?? new Uint8Array(0) : new Uint8Array(0);
  }

  /** As luaL_execresult: true or nil, then "exit" or "signal", then the code. */
  private pushExecResult(L: LuaState, st: NonNullable<PipeCommand['status']>): number {
    if (st.ok) this.vm.pushBoolean(L, true); else this.vm.pushNil(L);
    this.vm.pushString(L, st.what);
    this.vm.pushInteger(L, st.code);
    return 3;
  }

  private ioType(L: LuaState): number {
    if (this.vm.type(L, 1) === LUA_TNONE) this.argError(L, 1, 'value expected');
    const id = this.fileId(L, 1);
    if (!id) this.vm.pushNil(L);
    else this.vm.pushString(L, this.files.get(id)!.closed ? 'closed file' : 'file');
    return 1;
  }

  private selectDefault(L: LuaState, which: 'input' | 'output'): number {
    const { vm } = this;
    const t = vm.type(L, 1);
    if (t > LUA_TNIL) {
      if (t === LUA_TSTRING) {
        const name = vm.toStr(L, 1)!;
        let fd: number;
        try {
          fd = fs.openSync(this.opts.resolve(name), which === 'input' ? 'r' : 'w');
        } catch (e) {
          this.raise(L, cannotOpenFile(name, e));
        }
        this.pushNewFile(L, new LuaFile('file', fd, which === 'input', which === 'output'));
        vm.replace(L, 1);
      }
      const id = this.checkFile(L, 1);
      this.rememberHandle(L, 1, id);
      if (which === 'input') this.defaultInput = id; else this.defaultOutput = id;
    }
    return this.pushHandle(L, which === 'input' ? this.defaultInput : this.defaultOutput);
  }

  /** Handles are userdata; keep one reference per id so the same object is returned. */
  private readonly handleRefs = new Map<number, number>();
  private pushHandle(L: LuaState, id: number): number {
    const ref = this.handleRefs.get(id);
    if (ref !== undefined) { this.vm.getRef(L, ref); return 1; }
    return this.raise(L, 'default file is not available');
  }
  /** Remembers the handle at idx so io.input()/io.output() can return it later. */
  private rememberHandle(L: LuaState, idx: number, id: number): void {
    if (this.handleRefs.has(id)) return;
    this.vm.pushValue(L, idx);
    this.handleRefs.set(id, this.vm.ref(L));
  }

  private read(L: LuaState, id: number, first: number): number {
    const f = this.files.get(id)!;
    if (f.closed) this.raise(L, 'default input file is closed');
    return this.gRead(L, f, first);
  }

  /**
   * As g_read: reads with the formats at stack indices first..top (a line without any) and
   * returns the number of results; nil ends them at the first format that fails, and a read
   * error replaces them with nil, message, errno.
   */
  private gRead(L: LuaState, f: LuaFile, first: number): number {
    const { vm } = this;
    if (!f.canRead) {
      vm.pushNil(L); vm.pushString(L, 'Bad file descriptor'); vm.pushInteger(L, 9); return 3;
    }
    f.error = null;
    const top = vm.getTop(L);
    let n = 0;
    if (top < first) {
      this.readFormat(L, f, 'l');
      n = 1;
    } else {
      for (let i = first; i <= top; i++) {
        let ok: boolean;
        if (vm.type(L, i) === LUA_TNUMBER) {
          ok = this.readCount(L, f, Number(this.checkInteger(L, i)));
        } else {
          const fmt = this.checkString(L, i).replace(/^\*/, '');
          if (!['n', 'l', 'L', 'a'].includes(fmt[0] ?? '')) this.argError(L, i, 'invalid format');
          ok = this.readFormat(L, f, fmt[0]);
        }
        n++;
        if (!ok) break;
      }
    }
    if (f.error !== null) {
      const [text, code] = errnoOf(f.error);
      f.error = null;
      vm.pushNil(L); vm.pushString(L, text); vm.pushInteger(L, code);
      return 3;
    }
    return n;
  }

  /** Pushes the result of one read format; on failure pushes nil and returns false. */
  private readFormat(L: LuaState, f: LuaFile, fmt: string): boolean {
    const { vm } = this;
    if (fmt === 'a') {
      while (f.fill());
      vm.pushBytes(L, f.take(f.available()));
      return true;
    }
    if (fmt === 'n') return this.readNumber(L, f);
    // 'l' / 'L'
    let scanned = 0;
    for (;;) {
      const nl = f.buf.indexOf(10, f.off + scanned);
      if (nl >= 0) {
        const line = f.take(nl - f.off + 1);
        vm.pushBytes(L, fmt === 'L' ? line : line.subarray(0, line.length - 1));
        return true;
      }
      scanned = f.available();
      if (!f.fill()) {
        if (f.available() === 0) { vm.pushNil(L); return false; }
        vm.pushBytes(L, f.take(f.available()));
        return true;
      }
    }
  }

  private readCount(L: LuaState, f: LuaFile, n: number): boolean {
    while (f.available() < Math.max(n, 1) && f.fill());
    if (f.available() === 0) { this.vm.pushNil(L); return false; }
    this.vm.pushBytes(L, f.take(Math.min(n, f.available())));
    return true;
  }

  private readNumber(L: LuaState, f: LuaFile): boolean {
    const peek = (): number => (f.available() > 0 || f.fill() ? f.buf[f.off] : -1);
    while (peek() >= 0 && /\s/.test(String.fromCharCode(peek()))) f.take(1);
    let text = '';
    const accept = (re: RegExp): boolean => {
      const c = peek();
      if (c >= 0 && text.length < 200 && re.test(String.fromCharCode(c))) { text += String.fromCharCode(c); f.take(1); return true; }
      return false;
    };
    accept(/[-+]/);
    let digits = /[0-9]/;
    let exp = /[eE]/;
    let count = 0;
    if (accept(/0/)) {
      if (accept(/[xX]/)) { digits = /[0-9a-fA-F]/; exp = /[pP]/; } else count = 1;
    }
    while (accept(digits)) count++;
    if (accept(/\./)) while (accept(digits)) count++;
    if (count > 0 && accept(exp)) { accept(/[-+]/); while (accept(/[0-9]/)); }
    const raw = this.vm.raw;
    const ok = this.vm.withBytes(new TextEncoder().encode(text), (p) => raw._lua_stringtonumber(L, p)) !== 0;
    if (!ok) { this.vm.pushNil(L); return false; }
    return true;
  }

  private write(L: LuaState, id: number, first: number, returnFile: boolean): number {
    const { vm } = this;
    const f = this.files.get(id)!;
    if (f.closed) this.raise(L, 'default output file is closed');
    const top = vm.getTop(L);
    const parts: Uint8Array[] = [];
    for (let i = first; i <= top; i++) {
      const t = vm.type(L, i);
      if (t !== LUA_TSTRING && t !== LUA_TNUMBER) this.argError(L, i - first + 1, `string expected, got ${vm.typeName(L, i)}`);
      parts.push(t === LUA_TNUMBER && !vm.isInteger(L, i) ? numberFormat(vm.toBytes(L, i)!) : vm.toBytes(L, i)!);
    }
    const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    if (!f.canWrite) { vm.pushNil(L); vm.pushString(L, 'Bad file descriptor'); vm.pushInteger(L, 9); return 3; }
    if (f.kind === 'stdout' || f.kind === 'stderr') {
      if (data.length) this.opts.out(f.kind, data);
    } else if (f.pipe) {
      f.pipe.written.push(data.slice());
    } else {
      try {
        f.dropBuffer();
        const n = fs.writeSync(f.fd!, data, 0, data.length, f.append ? null : f.pos);
        // Appends always land at the end of the file, and the position follows them.
        f.pos = f.append ? fs.fstatSync(f.fd!).size : f.pos + n;
      } catch (e) {
        const [text, code] = errnoOf(e);
        vm.pushNil(L); vm.pushString(L, text); vm.pushInteger(L, code); return 3;
      }
    }
    if (returnFile) vm.pushValue(L, 1);
    else this.pushHandle(L, id);
    return 1;
  }

  private seek(L: LuaState): number {
    const { vm } = this;
    const f = this.files.get(this.checkFile(L, 1))!;
    const whence = vm.type(L, 2) <= LUA_TNIL ? 'cur' : this.checkString(L, 2);
    const offset = vm.type(L, 3) <= LUA_TNIL ? 0 : Number(vm.toInteger(L, 3));
    if (!['set', 'cur', 'end'].includes(whence)) this.argError(L, 2, `invalid option '${whence}'`);
    if (f.isStd || f.pipe) { vm.pushNil(L); vm.pushString(L, 'Illegal seek'); vm.pushInteger(L, 29); return 3; }
    const base = whence === 'set' ? 0 : whence === 'cur' ? f.pos : fs.fstatSync(f.fd!).size;
    f.dropBuffer();
    f.pos = base + offset;
    vm.pushInteger(L, f.pos);
    return 1;
  }

  private ioLines(L: LuaState): number {
    const { vm } = this;
    if (vm.type(L, 1) <= LUA_TNIL) {
      if (vm.getTop(L) < 1) vm.pushNil(L);
      this.pushHandle(L, this.defaultInput);
      vm.replace(L, 1);
      this.checkFile(L, 1);
      return this.pushLines(L, 1, false);
    }
    const name = this.checkString(L, 1);
    let fd: number;
    try {
      fd = fs.openSync(this.opts.resolve(name), 'r');
    } catch (e) {
      this.raise(L, cannotOpenFile(name, e));
    }
    this.pushNewFile(L, new LuaFile('file', fd, true, false));
    vm.replace(L, 1);
    return this.pushLines(L, 1, true);
  }

  /** Pushes the iterator of file:lines/io.lines: a C closure over (file, closeAtEof, formats...). */
  private pushLines(L: LuaState, fileIdx: number, closeAtEof: boolean): number {
    const { vm } = this;
    const top = vm.getTop(L);
    const nfmt = top - fileIdx;
    if (nfmt > 250) this.argError(L, 252, 'too many arguments');
    vm.pushValue(L, fileIdx);
    vm.pushBoolean(L, closeAtEof);
    for (let i = fileIdx + 1; i <= top; i++) vm.pushValue(L, i);
    vm.raw._lua_pushcclosure(L, this.linesIterPtr, 2 + nfmt);
    if (closeAtEof) {
      // Lua 5.4 returns (iterator, nil, nil, file) so a generic for closes the file.
      vm.pushNil(L); vm.pushNil(L); vm.pushValue(L, fileIdx);
      return 4;
    }
    return 1;
  }

  /** As io_readline: the formats saved in the closure go on the stack and g_read reads them. */
  private linesIterator(L: LuaState): number {
    const { vm } = this;
    const id = this.fileId(L, upvalueIndex(1));
    const f = this.files.get(id)!;
    if (f.closed) this.raise(L, 'file is already closed');
    vm.setTop(L, 1);
    for (let i = 0; vm.type(L, upvalueIndex(3 + i)) !== LUA_TNONE; i++) vm.pushValue(L, upvalueIndex(3 + i));
    const n = this.gRead(L, f, 2);
    if (vm.toBoolean(L, -n)) return n;
    // EOF or an error: an error is raised with its message; at EOF io.lines(name) closes its file.
    if (n > 1) this.raise(L, vm.toStr(L, -n + 1) ?? '');
    if (vm.toBoolean(L, upvalueIndex(2)) && !f.closed) this.doClose(f);
    return 0;
  }

  private print(L: LuaState): number {
    const { vm } = this;
    const n = vm.getTop(L);
    const parts: Uint8Array[] = [];
    for (let i = 1; i <= n; i++) {
      if (i > 1) parts.push(TAB);
      parts.push(vm.toDisplayBytes(L, i));
    }
    parts.push(NEWLINE);
    this.opts.out('stdout', Buffer.concat(parts));
    return 0;
  }

  private exit(L: LuaState): number {
    const { vm } = this;
    const t = vm.type(L, 1);
    let code = 0;
    if (t === 1 /* boolean */) code = vm.toBoolean(L, 1) ? 0 : 1;
    // As C's exit(int): the integer is cut to an int (2^53 gives 0, math.maxinteger -1, so 255).
    else if (t > LUA_TNIL) code = Number(BigInt.asIntN(32, this.checkInteger(L, 1)));
    throw new VmUnwind('exit', code);
  }

  private execute(L: LuaState): number {
    const { vm } = this;
    if (vm.type(L, 1) <= LUA_TNIL) { vm.pushBoolean(L, true); return 1; }
    const pipe: PipeCommand = { command: this.checkString(L, 1), written: [], status: null };
    this.runCommand(pipe, null, false);
    return this.pushExecResult(L, pipe.status!);
  }

  /** loadfile(filename [, mode [, env]]) on the real file system, chunk named by absolute path. */
  private loadfile(L: LuaState): number {
    const { vm } = this;
    const top = vm.getTop(L);
    const envIdx = top >= 3 ? 3 : 0;
    const mode = vm.type(L, 2) <= LUA_TNIL ? 'bt' : this.checkString(L, 2);
    const status = this.loadNamed(L, mode);
    if (status !== 0) { vm.pushNil(L); vm.insert(L, -2); return 2; }
    if (envIdx) {
      vm.pushValue(L, envIdx);
      if (!vm.setUpvalue(L, -2, 1)) vm.pop(L, 1);
    }
    return 1;
  }

  /** Loads the file named at index 1 (stdin when absent); pushes the function or the message. */
  private loadNamed(L: LuaState, mode = 'bt'): number {
    const { vm } = this;
    if (vm.type(L, 1) <= LUA_TNIL) {
      const stdin = this.files.get(this.stdinId)!;
      while (stdin.fill());
      return vm.load(L, stripShebang(stdin.take(stdin.available())), '=stdin', mode as 'bt');
    }
    const name = this.checkString(L, 1);
    const abs = this.opts.resolve(name);
    let src: Uint8Array;
    try {
      src = fs.readFileSync(abs);
    } catch (e) {
      // luaL_loadfilex's words: fopen failing is "cannot open", a directory fails at "read".
      const code = (e as NodeJS.ErrnoException).code;
      vm.pushString(L, `cannot ${code === 'EISDIR' ? 'read' : 'open'} ${name}: ${errnoOf(e)[0]}`);
      return LUA_ERRFILE;
    }
    return vm.load(L, stripShebang(src), `@${abs}`, mode as 'bt');
  }

  private dofile(L: LuaState): number {
    const { vm } = this;
    vm.setTop(L, 1);
    if (this.loadNamed(L) !== 0) return vm.error(L);
    // With a continuation, as lua5.4's dofile: code in the file may yield (in a coroutine, and
    // for the interpreter's re-entry, top-level-calls.ts).
    vm.raw._lua_callk(L, 0, LUA_MULTRET, 0, this.dofileDonePtr);
    return vm.getTop(L) - 1;
  }

  /** Keeps handle references so io.input()/io.output() return the very objects scripts hold. */
  rememberStdHandles(): void {
    const { vm } = this;
    const L = vm.L;
    vm.getGlobal(L, 'io');
    for (const name of ['stdin', 'stdout', 'stderr']) {
      vm.getField(L, -1, name);
      this.rememberHandle(L, vm.getTop(L), this.fileId(L, -1));
      vm.pop(L, 1);
    }
    vm.pop(L, 1);
  }
}

/**
 * A float as C's "%.14g" writes it, from Lua's tostring of it: tostring adds ".0" only when
 * "%.14g" gave nothing but digits and a sign, so dropping that suffix gives the printf text.
 */
function numberFormat(text: Uint8Array): Uint8Array {
  const n = text.length;
  if (n < 2 || text[n - 2] !== 46 /* . */ || text[n - 1] !== 48 /* 0 */) return text;
  for (let i = 0; i < n - 2; i++) if (text[i] !== 45 && (text[i] < 48 || text[i] > 57)) return text;
  return text.subarray(0, n - 2);
}

const TAB = new Uint8Array([9]);
const NEWLINE = new Uint8Array([10]);

/** Lua skips a first line starting with '#' in files (a Unix shebang). */
export function stripShebang(src: Uint8Array): Uint8Array {
  if (src[0] !== 35 /* # */) return src;
  const nl = src.indexOf(10);
  // Keep the newline so line numbers stay right.
  return nl < 0 ? new Uint8Array(0) : src.subarray(nl);
}
