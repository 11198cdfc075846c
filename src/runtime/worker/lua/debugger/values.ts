// Values shown as Lua users read them, and lazy handles to expand tables. Handles live in a
// Lua table held in the registry and are dropped at the next resume (decision 4).
import {
  AR, LuaVm, LUA_OK, LUA_TBOOLEAN, LUA_TFUNCTION, LUA_TNIL, LUA_TNUMBER, LUA_TSTRING, LUA_TTABLE, LUA_TTHREAD,
  LUA_TUSERDATA, LUA_TLIGHTUSERDATA, LUA_YIELD, type LuaState,
} from '../lua-vm.js';
import type { VariableInfo } from '../../../debug-protocol.js';
import type { FrameRef } from './frames.js';

/**
 * What a variables reference stands for. `frame` is the frame the value was reached from:
 * a new value given for one of its children is evaluated there.
 */
export type Handle =
  | { kind: 'locals'; frame: FrameRef }
  | { kind: 'varargs'; frame: FrameRef }
  | { kind: 'upvalues'; frame: FrameRef }
  | { kind: 'globals'; frame?: FrameRef | null }
  | {
    kind: 'value'; slot: number; evaluateName?: string; frame?: FrameRef | null;
    /** Keys of children listed so far whose names cannot be read back as Lua (name → slot). */
    keys?: Map<string, number>;
  };

export type ValueHandle = Extract<Handle, { kind: 'value' }>;

export interface Rendered {
  value: string;
  type: string;
  ref: number;
  indexed?: number;
  named?: number;
}

const PREVIEW_ITEMS = 5;
const PREVIEW_STRING = 40;
const NAMED_COUNT_LIMIT = 10_000;
/** Tables with at most this many named keys preview them sorted; bigger ones in table order. */
const SORTED_PREVIEW_LIMIT = 200;
/** The name of the child that shows a value's metatable. */
export const METATABLE_CHILD = '(metatable)';
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set('and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' '));
/** Made on first use: building a collator costs 6–18 ms, paid otherwise by every debugged start. */
let collator: Intl.Collator | null = null;
const keyOrder = (): Intl.Collator => (collator ??= new Intl.Collator('en', { numeric: true }));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function isIdentifier(s: string): boolean {
  return IDENT.test(s) && !KEYWORDS.has(s);
}

const NAMED_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** Length of the valid UTF-8 sequence starting at b[i], or 0 when it is not one. */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number): boolean => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c === 0xe0 && b[i + 1] < 0xa0) return 0; // overlong
    if (c === 0xed && b[i + 1] >= 0xa0) return 0; // surrogates
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c === 0xf0 && b[i + 1] < 0x90) return 0;
    if (c === 0xf4 && b[i + 1] >= 0x90) return 0;
    return 4;
  }
  return 0;
}

/**
 * A Lua string literal for the bytes b, on one line: UTF-8 text as is, control characters and
 * bytes that are not UTF-8 as escapes (so the literal reads back as the same bytes).
 * With `maxChars`, longer strings are cut and end with "…" inside the quotes.
 */
export function quoteBytes(b: Uint8Array, maxChars = Infinity): string {
  let out = '"';
  let chars = 0;
  for (let i = 0; i < b.length;) {
    if (chars >= maxChars) { out += '…'; break; }
    chars++;
    const c = b[i];
    if (NAMED_ESCAPES[c]) { out += NAMED_ESCAPES[c]; i++; continue; }
    if (c >= 0x20 && c < 0x7f) { out += String.fromCharCode(c); i++; continue; }
    const n = c >= 0x80 ? utf8Length(b, i) : 0;
    if (n) {
      out += decoder.decode(b.subarray(i, i + n));
      i += n;
      continue;
    }
    // \ddd: short unless a digit follows, which would be read as part of the escape.
    const next = b[i + 1];
    out += next !== undefined && next >= 0x30 && next <= 0x39 ? `\\${String(c).padStart(3, '0')}` : `\\${c}`;
    i++;
  }
  return `${out}"`;
}

/** A Lua string literal for s. */
export function quote(s: string): string {
  return quoteBytes(encoder.encode(s));
}

/** The bytes a literal made by quoteBytes stands for, or null when s is not such a literal. */
export function unquote(s: string): Uint8Array | null {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return null;
  const body = Array.from(s.slice(1, -1)); // code points
  const out: number[] = [];
  const named: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92, "'": 39 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '"') return null;
    if (ch !== '\\') { out.push(...encoder.encode(ch)); continue; }
    const e = body[++i];
    if (e === undefined) return null;
    if (e in named) { out.push(named[e]); continue; }
    const m = /^\d{1,3}/.exec(body.slice(i, i + 3).join(''));
    if (!m || Number(m[0]) > 255) return null;
    out.push(Number(m[0]));
    i += m[0].length - 1;
  }
  return Uint8Array.from(out);
}

const hex = (p: number): string => `0x${(p >>> 0).toString(16).padStart(8, '0')}`;

interface NamedKey {
  name: string;
  /** Appended to the parent's evaluateName to name the child; undefined when Lua cannot say it. */
  keyExpr?: string;
  /** Sort group: numbers, strings, booleans, then the rest. */
  group: number;
  num: number;
  /** Position of the key in the scratch key table. */
  pos: number;
  /** True when the name alone does not give the key back (floats, tables, functions...). */
  opaque: boolean;
}

export class ValueStore {
  private handles: Handle[] = [];
  /** Reference number of handles[0]: references keep growing across stops so stale ones are recognised. */
  private firstRef = 1;
  private tableRef = 0;
  private nextSlot = 1;

  constructor(private readonly vm: LuaVm) {}

  /** Forgets every handle (at resume): old references get a clear error. */
  reset(): void {
    const L = this.vm.L;
    if (this.tableRef) this.vm.unref(L, this.tableRef);
    this.tableRef = 0;
    this.firstRef += this.handles.length;
    if (this.firstRef > 0x3fff_0000) this.firstRef = 1; // stay a small positive integer for clients
    this.handles = [];
    this.nextSlot = 1;
  }

  add(h: Handle): number {
    this.handles.push(h);
    return this.firstRef + this.handles.length - 1;
  }

  get(ref: number): Handle {
    const h = Number.isInteger(ref) && ref >= this.firstRef ? this.handles[ref - this.firstRef] : undefined;
    if (h) return h;
    if (Number.isInteger(ref) && ref >= 1 && ref < this.firstRef) {
      throw new Error(`variable reference ${ref} is from before the script resumed: references last only until the script resumes (ask for the scopes again)`);
    }
    throw new Error(`variable reference ${ref} is not valid (references last only until the script resumes)`);
  }

  /** Keeps the value at idx of L alive under a new slot. */
  private keep(L: LuaState, idx: number): number {
    const { vm } = this;
    const abs = vm.absIndex(L, idx);
    if (!this.tableRef) {
      vm.newTable(L);
      this.tableRef = vm.ref(L);
    }
    vm.getRef(L, this.tableRef);
    vm.pushValue(L, abs);
    const slot = this.nextSlot++;
    vm.rawSetI(L, -2, slot);
    vm.pop(L, 1);
    return slot;
  }

  /** Pushes the value kept under slot. */
  pushSlot(L: LuaState, slot: number): void {
    this.vm.getRef(L, this.tableRef);
    this.vm.rawGetI(L, -1, slot);
    this.vm.remove(L, -2);
  }

  /**
   * Renders the value at idx; tables (and values with metatables) get an expandable handle.
   * `frame` is the frame the value was reached from (new values for its children are evaluated there).
   */
  render(L: LuaState, idx: number, evaluateName?: string, frame?: FrameRef | null): Rendered {
    const { vm } = this;
    const t = vm.type(L, idx);
    switch (t) {
      case LUA_TNIL: return { value: 'nil', type: 'nil', ref: 0 };
      case LUA_TBOOLEAN: return { value: vm.toBoolean(L, idx) ? 'true' : 'false', type: 'boolean', ref: 0 };
      case LUA_TNUMBER: return { value: this.numberText(L, idx), type: vm.isInteger(L, idx) ? 'integer' : 'float', ref: 0 };
      case LUA_TSTRING: return { value: quoteBytes(vm.toBytes(L, idx) ?? new Uint8Array()), type: 'string', ref: 0 };
      case LUA_TFUNCTION: return { value: this.functionText(L, idx), type: 'function', ref: this.metaHandle(L, idx, evaluateName, frame) };
      case LUA_TTABLE: return this.renderTable(L, idx, evaluateName, frame);
      case LUA_TTHREAD: return { value: this.threadText(L, idx), type: 'thread', ref: 0 };
      case LUA_TLIGHTUSERDATA: return { value: `userdata: ${hex(vm.toPointer(L, idx))}`, type: 'userdata', ref: 0 };
      case LUA_TUSERDATA:
      default:
        return { value: this.userdataText(L, idx), type: 'userdata', ref: this.metaHandle(L, idx, evaluateName, frame) };
    }
  }

  /** A number as Lua prints it (3, 3.0, 1e+100, inf), without calling any metamethod. */
  numberText(L: LuaState, idx: number): string {
    const { vm } = this;
    vm.pushValue(L, idx); // lua_tolstring converts in place: work on a copy
    const s = vm.toStr(L, -1) ?? '?';
    vm.pop(L, 1);
    return s;
  }

  private threadText(L: LuaState, idx: number): string {
    const { vm } = this;
    const co = vm.toThread(L, idx);
    const st = vm.status(co);
    let status: string;
    if (co === L) status = 'running';
    else if (st === LUA_YIELD) status = 'suspended';
    else if (st !== LUA_OK) status = 'dead';
    else if (vm.getStack(co, 0, vm.ar2Ptr)) status = 'normal';
    else status = vm.getTop(co) === 0 ? 'dead' : 'suspended'; // not started yet: its function waits on its stack
    return `thread: ${hex(vm.toPointer(L, idx))} (${status})`;
  }

  /**
   * Userdata as Lua prints it. A library type's own C __tostring (io files) is used; a
   * script-defined one is not run, since rendering must not run script code.
   */
  private userdataText(L: LuaState, idx: number): string {
    const { vm } = this;
    const abs = vm.absIndex(L, idx);
    let name = 'userdata';
    if (vm.getMetatable(L, abs)) {
      const mt = vm.getTop(L);
      vm.pushString(L, '__name');
      const hasName = vm.rawGet(L, mt) === LUA_TSTRING;
      if (hasName) name = vm.toStr(L, -1) ?? name;
      vm.pushString(L, '__tostring');
      vm.rawGet(L, mt);
      const libraryToString = hasName && vm.isCFunction(L, -1);
      vm.pop(L, 3);
      if (libraryToString) return vm.toDisplayString(L, abs);
    }
    return `${name}: ${hex(vm.toPointer(L, abs))}`;
  }

  private metaHandle(L: LuaState, idx: number, evaluateName?: string, frame?: FrameRef | null): number {
    if (!this.vm.getMetatable(L, idx)) return 0;
    this.vm.pop(L, 1);
    return this.add({ kind: 'value', slot: this.keep(L, idx), evaluateName, frame });
  }

  functionText(L: LuaState, idx: number): string {
    const { vm } = this;
    vm.pushValue(L, idx);
    vm.getInfo(L, '>S', vm.ar2Ptr);
    const what = vm.arString(vm.ar2Ptr, AR.what);
    if (what === 'C') return 'builtin function';
    const src = vm.arString(vm.ar2Ptr, AR.source) ?? '?';
    const where = src.startsWith('@') ? src.slice(1).split('/').pop()! : src.startsWith('=') ? src.slice(1) : '[string]';
    return `function ${where}:${vm.arInt(vm.ar2Ptr, AR.linedefined)}`;
  }

  private renderTable(L: LuaState, idx: number, evaluateName?: string, frame?: FrameRef | null): Rendered {
    const { vm } = this;
    const abs = vm.absIndex(L, idx);
    const indexed = vm.rawLen(L, abs);
    const named = this.countNamed(L, abs, indexed);
    const parts: string[] = [];
    for (let i = 1; i <= Math.min(indexed, PREVIEW_ITEMS); i++) {
      vm.rawGetI(L, abs, i);
      parts.push(this.shortValue(L, -1));
      vm.pop(L, 1);
    }
    if (parts.length < PREVIEW_ITEMS && named !== undefined && named <= SORTED_PREVIEW_LIMIT) {
      // A small table previews its fields in the order they are listed: stable from stop to stop.
      const keys = this.namedKeys(L, abs, indexed);
      const scratch = vm.getTop(L);
      const room = PREVIEW_ITEMS - parts.length;
      for (const k of keys.slice(0, room)) {
        vm.rawGetI(L, scratch, k.pos);
        const name = this.keyName(L, -1, true);
        vm.rawGet(L, abs);
        parts.push(`${name}=${this.shortValue(L, -1)}`);
        vm.pop(L, 1);
      }
      if (keys.length > room) parts.push('…');
      vm.pop(L, 1);
    } else if (parts.length < PREVIEW_ITEMS) {
      vm.pushNil(L);
      while (vm.next(L, abs)) {
        if (!this.isIndexKey(L, -2, indexed)) {
          if (parts.length >= PREVIEW_ITEMS) { vm.pop(L, 2); parts.push('…'); break; }
          parts.push(`${this.keyName(L, -2, true)}=${this.shortValue(L, -1)}`);
        }
        vm.pop(L, 1);
      }
    } else if (indexed > PREVIEW_ITEMS || (named ?? 1) > 0) {
      parts.push('…');
    }
    let value = `{${parts.join(', ')}}`;
    if (indexed > PREVIEW_ITEMS) value = `table[${indexed}] ${value}`;
    const ref = this.add({ kind: 'value', slot: this.keep(L, abs), evaluateName, frame });
    const hasMeta = vm.getMetatable(L, abs);
    if (hasMeta) vm.pop(L, 1);
    return { value, type: 'table', ref, indexed: indexed || undefined, named: named === undefined ? undefined : named + (hasMeta ? 1 : 0) };
  }

  /** True if the key at idx is an integer in 1..n (the part shown as indexed). */
  private isIndexKey(L: LuaState, idx: number, n: number): boolean {
    const { vm } = this;
    if (n === 0 || !vm.isInteger(L, idx)) return false;
    const k = vm.toInteger(L, idx);
    return k >= 1n && k <= BigInt(n);
  }

  /** Number of keys outside 1..n, or undefined when counting would walk a huge table. */
  private countNamed(L: LuaState, abs: number, n: number): number | undefined {
    const { vm } = this;
    if (n > 1000) return undefined; // a big array: the client pages it and asks for named keys apart
    let count = 0;
    let seen = 0;
    vm.pushNil(L);
    while (vm.next(L, abs)) {
      vm.pop(L, 1);
      if (++seen > NAMED_COUNT_LIMIT + n) { vm.pop(L, 1); return undefined; }
      if (!this.isIndexKey(L, -1, n)) count++;
    }
    return count;
  }

  /**
   * The name of the key at idx as a child: `name`, `["not an identifier"]`, `[2]`, `[true]`,
   * and for keys Lua cannot write down, `[table: 0x…]` (short: `[{…}]`, for previews).
   */
  private keyName(L: LuaState, idx: number, short = false): string {
    const { vm } = this;
    switch (vm.type(L, idx)) {
      case LUA_TSTRING: {
        const b = vm.toBytes(L, idx)!;
        const s = decoder.decode(b);
        return isIdentifier(s) && encoder.encode(s).length === b.length ? s : `[${quoteBytes(b, short ? PREVIEW_STRING : Infinity)}]`;
      }
      case LUA_TNUMBER: return `[${this.numberText(L, idx)}]`;
      case LUA_TBOOLEAN: return `[${vm.toBoolean(L, idx)}]`;
      default: return short ? `[${this.shortValue(L, idx)}]` : `[${vm.typeName(L, idx)}: ${hex(vm.toPointer(L, idx))}]`;
    }
  }

  /** A value in one short word, for previews. */
  shortValue(L: LuaState, idx: number): string {
    const { vm } = this;
    switch (vm.type(L, idx)) {
      case LUA_TSTRING: return quoteBytes(vm.toBytes(L, idx) ?? new Uint8Array(), PREVIEW_STRING);
      case LUA_TNUMBER: return this.numberText(L, idx);
      case LUA_TBOOLEAN: return vm.toBoolean(L, idx) ? 'true' : 'false';
      case LUA_TNIL: return 'nil';
      case LUA_TTABLE: return '{…}';
      case LUA_TFUNCTION: return 'function';
      default: return vm.typeName(L, idx);
    }
  }

  /**
   * Describes the keys of the table at abs outside 1..n, sorted (numbers, strings, booleans,
   * others), and pushes a scratch table holding them at their `pos`.
   */
  private namedKeys(L: LuaState, abs: number, n: number): NamedKey[] {
    const { vm } = this;
    vm.newTable(L);
    const scratch = vm.getTop(L);
    const keys: NamedKey[] = [];
    vm.pushNil(L);
    while (vm.next(L, abs)) {
      vm.pop(L, 1);
      if (this.isIndexKey(L, -1, n)) continue;
      const pos = keys.length + 1;
      vm.pushValue(L, -1);
      vm.rawSetI(L, scratch, pos);
      const t = vm.type(L, -1);
      const name = this.keyName(L, -1);
      let keyExpr: string | undefined;
      let group = 3;
      let num = 0;
      let opaque = false;
      if (t === LUA_TSTRING) {
        group = 1;
        keyExpr = name.startsWith('[') ? name : `.${name}`;
      } else if (t === LUA_TNUMBER) {
        group = 0;
        num = vm.toNumber(L, -1);
        // A float's printed form (%.14g) may not give the same number back.
        opaque = !vm.isInteger(L, -1) && Number(name.slice(1, -1)) !== num;
        if (!opaque && Number.isFinite(num)) keyExpr = name;
        else if (num === Infinity) keyExpr = '[math.huge]';
        else if (num === -Infinity) keyExpr = '[-math.huge]';
      } else if (t === LUA_TBOOLEAN) {
        group = 2;
        keyExpr = name;
      } else {
        opaque = true;
      }
      keys.push({ name, keyExpr, group, num, pos, opaque });
    }
    keys.sort((a, b) => a.group - b.group || a.num - b.num || keyOrder().compare(a.name, b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return keys;
  }

  /**
   * Children of a value: a table's indexed part [1..#t], its named part (sorted), then its
   * metatable. `filter` selects the indexed part (paged by start/count, 0-based) or the named
   * part and metatable (paged the same way); without it the whole list is paged.
   */
  tableChildren(L: LuaState, h: ValueHandle, filter?: 'indexed' | 'named', start = 0, count = 0): VariableInfo[] {
    const { vm } = this;
    const out: VariableInfo[] = [];
    const base0 = vm.getTop(L);
    this.pushSlot(L, h.slot);
    const abs = vm.getTop(L);
    const base = h.evaluateName;
    const child = (name: string, keyExpr: string | undefined): void => {
      const evaluateName = base === undefined || keyExpr === undefined ? undefined : `${base}${keyExpr}`;
      const r = this.render(L, -1, evaluateName, h.frame);
      out.push({ name, value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named, evaluateName });
    };
    try {
      const isTable = vm.type(L, abs) === LUA_TTABLE;
      const n = isTable ? vm.rawLen(L, abs) : 0;
      const indexedTotal = filter === 'named' ? 0 : n;
      const from = Math.max(0, start);
      const to = count > 0 ? from + count : Infinity;
      for (let i = from; i < Math.min(to, indexedTotal); i++) {
        vm.rawGetI(L, abs, i + 1);
        child(`[${i + 1}]`, `[${i + 1}]`);
        vm.pop(L, 1);
      }
      if (filter === 'indexed' || to <= indexedTotal) return out;
      const namedFrom = Math.max(0, from - indexedTotal);
      const namedTo = to - indexedTotal;
      const keys = isTable ? this.namedKeys(L, abs, n) : [];
      const scratch = vm.getTop(L);
      for (let j = namedFrom; j < Math.min(namedTo, keys.length); j++) {
        const k = keys[j];
        vm.rawGetI(L, scratch, k.pos);
        if (k.opaque || k.name.startsWith('[')) (h.keys ??= new Map()).set(k.name, this.keep(L, -1));
        vm.rawGet(L, abs);
        child(k.name, k.keyExpr);
        vm.pop(L, 1);
      }
      if (keys.length < namedTo && namedFrom <= keys.length && vm.getMetatable(L, abs)) {
        const evaluateName = base === undefined ? undefined : `getmetatable(${base})`;
        const r = this.render(L, -1, evaluateName, h.frame);
        out.push({ name: METATABLE_CHILD, value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named, evaluateName });
      }
      return out;
    } finally {
      vm.setTop(L, base0);
    }
  }

  /**
   * Sets child `name` (as tableChildren names it) of the value of h to the value at valueIdx:
   * a raw table write, or the metatable for "(metatable)".
   */
  setChild(L: LuaState, h: ValueHandle, name: string, valueIdx: number): void {
    const { vm } = this;
    const v = vm.absIndex(L, valueIdx);
    const base = vm.getTop(L);
    try {
      this.pushSlot(L, h.slot);
      const obj = vm.getTop(L);
      if (name === METATABLE_CHILD) {
        const t = vm.type(L, v);
        if (t !== LUA_TTABLE && t !== LUA_TNIL) throw new Error(`a metatable must be a table or nil, not a ${vm.typeName(L, v)}`);
        if (vm.type(L, obj) !== LUA_TTABLE) throw new Error(`only the metatable of a table can be changed here, not of a ${vm.typeName(L, obj)}`);
        vm.pushValue(L, v);
        vm.setMetatable(L, obj);
        return;
      }
      if (vm.type(L, obj) !== LUA_TTABLE) throw new Error(`'${name}' cannot be set: only tables have fields to set`);
      this.pushKey(L, h, name);
      vm.pushValue(L, v);
      vm.rawSet(L, obj);
    } finally {
      vm.setTop(L, base);
    }
  }

  /** Pushes the key a child name stands for, or throws when the name is not one. */
  private pushKey(L: LuaState, h: ValueHandle, name: string): void {
    const { vm } = this;
    const kept = h.keys?.get(name);
    if (kept !== undefined) { this.pushSlot(L, kept); return; }
    if (isIdentifier(name)) { vm.pushString(L, name); return; }
    const inner = /^\[(.*)\]$/s.exec(name)?.[1];
    if (inner !== undefined) {
      if (/^-?\d+$/.test(inner)) { vm.pushInteger(L, BigInt(inner)); return; }
      if (inner === 'true' || inner === 'false') { vm.pushBoolean(L, inner === 'true'); return; }
      const bytes = unquote(inner);
      if (bytes) { vm.pushBytes(L, bytes); return; }
      if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(inner)) { vm.pushNumber(L, Number(inner)); return; }
    }
    throw new Error(`'${name}' is not a field name: use a name such as x, [3] or ["some key"]`);
  }
}

export { LUA_TUSERDATA };
