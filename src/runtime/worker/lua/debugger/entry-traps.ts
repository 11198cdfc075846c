// Entry traps: how a breakpoint in a function that is never called costs nothing.
//
// Lua's hooks are per thread: to learn that a function with breakpoints was entered, a call hook
// must run on every call of the whole program, which costs 2-4x on call-heavy code even when the
// hook does nothing. Instead, a function that holds breakpoints gets two instructions put before
// its first one: load a C function from a new constant, call it. That call (the trap) tells the
// debugger the function started, and the debugger arms the line hook for it from there. Until
// then no hook is armed at all.
//
// The prototype is rewritten in wasm memory (Lua 5.4, wasm32 layout, checked by `verify`): new
// code, constants and line-info arrays with the instructions shifted by two; jumps are relative,
// so they need no change; local variables' pc ranges are shifted. A prototype is only rewritten
// while no frame runs it (callers check), and restored the same way.
//
// The trap's instructions carry the line of the function's first instruction, and the trap is
// that line's event: when it returns, Lua records the trap's pc as the last line seen, so a line
// hook armed inside the trap reports the function's next line, not the first one again.
import { AR, LuaVm, LUA_MASKLINE, type LuaState } from '../lua-vm.js';
import type { LuaLayout } from './lua-layout.js';

/** Proto fields (wasm32 Lua 5.4; lua-layout.ts checks the line-info ones against lua_getinfo). */
const P = {
  isVararg: 7, maxStackSize: 8, sizeK: 16, sizeCode: 20, sizeLineInfo: 24, sizeLocVars: 32, sizeAbsLineInfo: 36,
  lineDefined: 40, k: 48, code: 52, lineInfo: 64, absLineInfo: 68, locVars: 72,
} as const;
const TVALUE_SIZE = 16;
/** Type tag of a light C function (LUA_VLCF: not collectable). */
const TAG_LIGHT_C_FUNCTION = 0x16;
const LOCVAR_SIZE = 12;
const OP_LOADK = 3;
const OP_CALL = 68;
const OP_VARARGPREP = 81;
/** Constants a LOADK can name (Bx has 17 bits). */
const MAX_BX = (1 << 17) - 1;
/** Registers a function can have (A has 8 bits; 255 is Lua's own limit). */
const MAX_REGS = 255;
/** lineinfo marks and limits as lcode.c writes them. */
const ABSLINEINFO = -0x80;
const LIMLINEDIFF = 0x80;
const MAXIWTHABS = 128;
/** Instructions the trap adds. */
const TRAP_LENGTH = 2;

const iABx = (op: number, a: number, bx: number): number => (op | (a << 7) | (bx << 15)) >>> 0;
const iABC = (op: number, a: number, b: number, c: number): number => (op | (a << 7) | (b << 16) | (c << 24)) >>> 0;
const opcodeOf = (i: number): number => i & 0x7f;

interface Saved {
  code: number; sizeCode: number;
  lineInfo: number; sizeLineInfo: number;
  absLineInfo: number; sizeAbsLineInfo: number;
  k: number; sizeK: number;
  maxStackSize: number;
  locVarRanges: Int32Array;
}

interface Patch {
  saved: Saved;
  /** Arrays we allocated (freed when the prototype is restored). */
  owned: number[];
  /** Where the trap starts (after VARARGPREP in a vararg function). */
  at: number;
}

export class EntryTraps {
  /** False until `verify` succeeded: then prototypes may be rewritten. */
  available = false;
  /**
   * Told of each entry into a patched function, on thread L. It asks `frame` for a lua_Debug of
   * the function's frame (level 1: the trap itself is level 0) once it knows it will use it:
   * conditions the debugger evaluates may run traps themselves, which would reuse the record.
   */
  onEnter: (L: LuaState) => void = () => undefined;
  private readonly patches = new Map<number, Patch>();
  private readonly trapPtr: number;
  /** The lua_Debug handed to onEnter (its own: evaluations reuse the VM's scratch ones). */
  private readonly ar: number;

  constructor(private readonly vm: LuaVm, private readonly layout: LuaLayout) {
    this.ar = vm.raw._malloc(AR.size);
    this.trapPtr = vm.registerFunction((L) => {
      this.onEnter(L);
      return 0;
    });
  }

  /** The frame that ran the trap on L (its lua_Debug with currentline, its prototype), or null. */
  frame(L: LuaState): { ar: number; proto: number } | null {
    const ar = this.ar;
    if (!this.vm.getStack(L, 1, ar)) return null;
    this.vm.getInfo(L, 'l', ar);
    return { ar, proto: this.layout.protoOfCi(this.layout.ciOfAr(ar)) };
  }

  /** The index of a patched function's trap LOADK (0, or 1 after VARARGPREP); -1 if not patched. */
  trapPc(proto: number): number {
    return this.patches.get(proto)?.at ?? -1;
  }

  isPatched(proto: number): boolean { return this.patches.has(proto); }
  patched(): IterableIterator<number> { return this.patches.keys(); }

  /** Puts the trap in front of `proto`'s code; false when this function cannot take one. */
  patch(proto: number): boolean {
    if (!this.available || this.patches.has(proto)) return this.patches.has(proto);
    const { raw } = this.vm;
    let h32 = raw.HEAP32;
    const sizeCode = h32[(proto + P.sizeCode) >> 2];
    const code = h32[(proto + P.code) >> 2];
    const lineInfo = h32[(proto + P.lineInfo) >> 2];
    const sizeK = h32[(proto + P.sizeK) >> 2];
    const maxStack = raw.HEAPU8[proto + P.maxStackSize];
    const isVararg = raw.HEAPU8[proto + P.isVararg] !== 0;
    // No line information (a stripped binary chunk), no free register or constant slot: no trap.
    if (!lineInfo || h32[(proto + P.sizeLineInfo) >> 2] !== sizeCode || maxStack + 1 > MAX_REGS || sizeK >= MAX_BX) return false;
    // A vararg function must run VARARGPREP first (it moves the frame): the trap goes after it.
    const at = isVararg ? 1 : 0;
    if (isVararg && opcodeOf(h32[code >> 2]) !== OP_VARARGPREP) return false;
    if (sizeCode <= at) return false;

    const lines = this.linesOf(proto, sizeCode);
    const newLines = [...lines.slice(0, at), lines[at], lines[at], ...lines.slice(at)];
    const encoded = encodeLines(h32[(proto + P.lineDefined) >> 2], newLines);
    const newSize = sizeCode + TRAP_LENGTH;

    const newCode = raw._malloc(newSize * 4);
    const newK = raw._malloc((sizeK + 1) * TVALUE_SIZE);
    const newLineInfo = raw._malloc(newSize);
    const newAbs = raw._malloc(Math.max(1, encoded.abs.length) * 8);
    h32 = raw.HEAP32; // malloc may have grown memory
    const u8 = raw.HEAPU8;
    u8.copyWithin(newCode, code, code + at * 4);
    h32[(newCode >> 2) + at] = iABx(OP_LOADK, maxStack, sizeK);
    h32[(newCode >> 2) + at + 1] = iABC(OP_CALL, maxStack, 1, 1); // no arguments, no results
    u8.copyWithin(newCode + (at + TRAP_LENGTH) * 4, code + at * 4, code + sizeCode * 4);
    const k = h32[(proto + P.k) >> 2];
    if (sizeK) u8.copyWithin(newK, k, k + sizeK * TVALUE_SIZE);
    const slot = newK + sizeK * TVALUE_SIZE;
    u8.fill(0, slot, slot + TVALUE_SIZE);
    h32[slot >> 2] = this.trapPtr;
    u8[slot + 8] = TAG_LIGHT_C_FUNCTION;
    new Int8Array(u8.buffer, newLineInfo, newSize).set(encoded.deltas);
    encoded.abs.forEach(([pc, line], i) => { h32[(newAbs >> 2) + i * 2] = pc; h32[(newAbs >> 2) + i * 2 + 1] = line; });

    const saved: Saved = {
      code, sizeCode, lineInfo, sizeLineInfo: sizeCode,
      absLineInfo: h32[(proto + P.absLineInfo) >> 2], sizeAbsLineInfo: h32[(proto + P.sizeAbsLineInfo) >> 2],
      k, sizeK, maxStackSize: maxStack, locVarRanges: this.shiftLocVars(proto, at),
    };
    h32[(proto + P.code) >> 2] = newCode;
    h32[(proto + P.sizeCode) >> 2] = newSize;
    h32[(proto + P.lineInfo) >> 2] = newLineInfo;
    h32[(proto + P.sizeLineInfo) >> 2] = newSize;
    h32[(proto + P.absLineInfo) >> 2] = encoded.abs.length ? newAbs : 0;
    h32[(proto + P.sizeAbsLineInfo) >> 2] = encoded.abs.length;
    h32[(proto + P.k) >> 2] = newK;
    h32[(proto + P.sizeK) >> 2] = sizeK + 1;
    u8[proto + P.maxStackSize] = maxStack + 1;
    const owned = [newCode, newK, newLineInfo, newAbs];
    if (!encoded.abs.length) { raw._free(newAbs); owned.pop(); }
    this.patches.set(proto, { saved, owned, at });
    return true;
  }

  /**
   * Runs `work` with every patched prototype showing its own code (for string.dump). Safe even
   * for functions that are running: no Lua code runs during `work`'s C call, and frames keep
   * their pointers into our arrays, which stay allocated.
   */
  withOriginalCode<T>(work: () => T): T {
    if (!this.patches.size) return work();
    const h32 = this.vm.raw.HEAP32;
    const fields = [P.code, P.sizeCode, P.lineInfo, P.sizeLineInfo, P.absLineInfo, P.sizeAbsLineInfo, P.k, P.sizeK];
    const swapped = [...this.patches].map(([proto, p]) => {
      const ours = fields.map((f) => h32[(proto + f) >> 2]);
      const oursMax = this.vm.raw.HEAPU8[proto + P.maxStackSize];
      this.restoreFields(proto, p.saved);
      return { proto, ours, oursMax };
    });
    try {
      return work();
    } finally {
      const heap = this.vm.raw.HEAP32;
      for (const { proto, ours, oursMax } of swapped) {
        fields.forEach((f, i) => { heap[(proto + f) >> 2] = ours[i]; });
        this.vm.raw.HEAPU8[proto + P.maxStackSize] = oursMax;
        this.shiftLocVars(proto, this.patches.get(proto)!.at);
      }
    }
  }

  /** Gives `proto` its own code back. */
  unpatch(proto: number): void {
    const p = this.patches.get(proto);
    if (!p) return;
    this.restoreFields(proto, p.saved);
    for (const ptr of p.owned) this.vm.raw._free(ptr);
    this.patches.delete(proto);
  }

  private restoreFields(proto: number, s: Saved): void {
    const { raw } = this.vm;
    const h32 = raw.HEAP32;
    h32[(proto + P.code) >> 2] = s.code;
    h32[(proto + P.sizeCode) >> 2] = s.sizeCode;
    h32[(proto + P.lineInfo) >> 2] = s.lineInfo;
    h32[(proto + P.sizeLineInfo) >> 2] = s.sizeLineInfo;
    h32[(proto + P.absLineInfo) >> 2] = s.absLineInfo;
    h32[(proto + P.sizeAbsLineInfo) >> 2] = s.sizeAbsLineInfo;
    h32[(proto + P.k) >> 2] = s.k;
    h32[(proto + P.sizeK) >> 2] = s.sizeK;
    raw.HEAPU8[proto + P.maxStackSize] = s.maxStackSize;
    const locVars = h32[(proto + P.locVars) >> 2];
    for (let i = 0; i < s.locVarRanges.length / 2; i++) {
      h32[(locVars + i * LOCVAR_SIZE + 4) >> 2] = s.locVarRanges[i * 2];
      h32[(locVars + i * LOCVAR_SIZE + 8) >> 2] = s.locVarRanges[i * 2 + 1];
    }
  }

  /** The line of each instruction (as luaG_getfuncline computes it). */
  private linesOf(proto: number, sizeCode: number): number[] {
    const h32 = this.vm.raw.HEAP32;
    const info = new Int8Array(this.vm.raw.HEAPU8.buffer, h32[(proto + P.lineInfo) >> 2], sizeCode);
    const absPtr = h32[(proto + P.absLineInfo) >> 2];
    const abs = new Map<number, number>();
    for (let i = 0; i < h32[(proto + P.sizeAbsLineInfo) >> 2]; i++) abs.set(h32[(absPtr >> 2) + i * 2], h32[(absPtr >> 2) + i * 2 + 1]);
    const out: number[] = [];
    let line = h32[(proto + P.lineDefined) >> 2];
    for (let pc = 0; pc < sizeCode; pc++) {
      line = info[pc] === ABSLINEINFO ? abs.get(pc) ?? line : line + info[pc];
      out.push(line);
    }
    return out;
  }

  /**
   * Shifts local variables' [startpc, endpc) past the trap. Variables live from the start
   * (parameters) stay live during the trap too. Returns the old ranges.
   */
  private shiftLocVars(proto: number, at: number): Int32Array {
    const h32 = this.vm.raw.HEAP32;
    const n = h32[(proto + P.sizeLocVars) >> 2];
    const base = h32[(proto + P.locVars) >> 2];
    const old = new Int32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const sp = (base + i * LOCVAR_SIZE + 4) >> 2;
      const start = h32[sp];
      const end = h32[sp + 1];
      old[i * 2] = start;
      old[i * 2 + 1] = end;
      h32[sp] = start <= at ? start : start + TRAP_LENGTH;
      h32[sp + 1] = end > at ? end + TRAP_LENGTH : end;
    }
    return old;
  }

  /**
   * Checks everything the traps rely on with a real function: the opcodes; that a patched
   * function computes the same, trips its trap once per call at its first line, keeps its
   * lines; and that a line hook armed inside the trap reports the next line but not the first
   * again. Leaves `available` false when anything differs (the debugger then uses call hooks).
   */
  verify(): boolean {
    const { vm } = this;
    const L = vm.L;
    const top = vm.getTop(L);
    const events: number[] = [];
    const hook = vm.raw.addFunction(((T: LuaState, ar: number) => {
      vm.getInfo(T, 'l', ar);
      events.push(vm.arInt(ar, AR.currentline));
    }) as never, 'vii');
    const onEnter = this.onEnter;
    try {
      const src = 'local k = "k"\nlocal function f(a, b)\n  local c = a + b\n  return c * 2\nend\nlocal function g() f(1, 2) end\nreturn f, g';
      if (vm.load(L, new TextEncoder().encode(src), '=trap-check') !== 0) return false;
      // Opcodes: the main chunk starts VARARGPREP, LOADK; g makes a CALL.
      const code = (p: number): number[] => {
        const h32 = vm.raw.HEAP32;
        return Array.from({ length: h32[(p + P.sizeCode) >> 2] }, (_, i) => opcodeOf(h32[(h32[(p + P.code) >> 2] >> 2) + i]));
      };
      const main = code(this.layout.protoOfValue(L, -1));
      if (main[0] !== OP_VARARGPREP || main[1] !== OP_LOADK) return false;
      if (vm.pcall(L, 0, 2, 0) !== 0) return false;
      const proto = this.layout.protoOfValue(L, -2);
      if (!proto || !code(this.layout.protoOfValue(L, -1)).includes(OP_CALL)) return false;
      const linesBefore = this.linesOf(proto, vm.raw.HEAP32[(proto + P.sizeCode) >> 2]);
      this.available = true;
      if (!this.patch(proto)) return (this.available = false);
      const trips: number[] = [];
      let trapPcSeen = -2;
      this.onEnter = (T) => {
        const f = this.frame(T);
        trips.push(f?.proto === proto ? vm.arInt(f.ar, AR.currentline) : -1);
        // In the trap, the frame's current instruction is the trap's CALL (one past its LOADK).
        if (f) trapPcSeen = this.layout.currentPcOfCi(this.layout.ciOfAr(f.ar), proto);
        vm.setHook(T, hook, LUA_MASKLINE, 0);
      };
      vm.pushValue(L, -2);
      vm.pushInteger(L, 3);
      vm.pushInteger(L, 4);
      const status = vm.pcall(L, 2, 1, 0);
      vm.setHook(L, 0, 0, 0);
      if (status !== 0) { this.unpatch(proto); return (this.available = false); }
      const result = Number(vm.toInteger(L, -1));
      vm.pop(L, 1);
      const after = this.linesOf(proto, vm.raw.HEAP32[(proto + P.sizeCode) >> 2]);
      const sameLines = after.slice(TRAP_LENGTH).join(',') === linesBefore.join(',') && after[0] === linesBefore[0];
      this.unpatch(proto);
      const restored = this.linesOf(proto, vm.raw.HEAP32[(proto + P.sizeCode) >> 2]).join(',') === linesBefore.join(',');
      this.available = result === 14 && trips.join(',') === '3' && trapPcSeen === TRAP_LENGTH - 1 && sameLines && restored && events.join(',') === '4';
      return this.available;
    } catch {
      return (this.available = false);
    } finally {
      this.onEnter = onEnter;
      vm.setHook(L, 0, 0, 0);
      vm.raw.removeFunction(hook);
      vm.setTop(L, top);
    }
  }
}

/** Encodes per-instruction lines as lcode.c does: deltas, with absolute entries when needed. */
export function encodeLines(lineDefined: number, lines: number[]): { deltas: Int8Array; abs: [number, number][] } {
  const deltas = new Int8Array(lines.length);
  const abs: [number, number][] = [];
  let prev = lineDefined;
  let sinceAbs = 0;
  lines.forEach((line, pc) => {
    const d = line - prev;
    if (Math.abs(d) >= LIMLINEDIFF || sinceAbs++ >= MAXIWTHABS) {
      abs.push([pc, line]);
      deltas[pc] = ABSLINEINFO;
      sinceAbs = 1;
    } else {
      deltas[pc] = d;
    }
    prev = line;
  });
  return { deltas, abs };
}

