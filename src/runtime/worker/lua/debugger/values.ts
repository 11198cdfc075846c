// Values shown as Lua users read them, and lazy handles to expand tables. Handles live in a
// Lua table held in the registry and are dropped at the next resume (decision 4).
import {
  AR, LuaVm, LUA_TBOOLEAN, LUA_TFUNCTION, LUA_TNIL, LUA_TNUMBER, LUA_TSTRING, LUA_TTABLE, LUA_TTHREAD,
  LUA_TUSERDATA, LUA_TLIGHTUSERDATA, type LuaState,
} from '../lua-vm.js';
import type { VariableInfo } from '../../../debug-protocol.js';
import type { FrameRef } from './frames.js';

export type Handle =
  | { kind: 'locals'; frame: FrameRef }
  | { kind: 'varargs'; frame: FrameRef }
  | { kind: 'upvalues'; frame: FrameRef }
  | { kind: 'globals' }
  | { kind: 'value'; slot: number; evaluateName?: string };

export interface Rendered {
  value: string;
  type: string;
  ref: number;
  indexed?: number;
  named?: number;
}

const PREVIEW_ITEMS = 5;
const NAMED_COUNT_LIMIT = 10_000;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set('and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' '));

export function isIdentifier(s: string): boolean {
  return IDENT.test(s) && !KEYWORDS.has(s);
}

/** A Lua string literal for s, escaped so it reads on one line. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"\n\r\t\0]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' })[c]!)}"`;
}

export class ValueStore {
  private handles: Handle[] = [];
  private tableRef = 0;
  private nextSlot = 1;

  constructor(private readonly vm: LuaVm) {}

  /** Forgets every handle (at resume): old references get a clear error. */
  reset(): void {
    const L = this.vm.L;
    if (this.tableRef) this.vm.unref(L, this.tableRef);
    this.tableRef = 0;
    this.handles = [];
    this.nextSlot = 1;
  }

  add(h: Handle): number {
    this.handles.push(h);
    return this.handles.length;
  }

  get(ref: number): Handle {
    const h = this.handles[ref - 1];
    if (!h) throw new Error(`variable reference ${ref} is not valid (references last only until the script resumes)`);
    return h;
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

  /** Renders the value at idx; tables (and values with metatables) get an expandable handle. */
  render(L: LuaState, idx: number, evaluateName?: string): Rendered {
    const { vm } = this;
    const t = vm.type(L, idx);
    switch (t) {
      case LUA_TNIL: return { value: 'nil', type: 'nil', ref: 0 };
      case LUA_TBOOLEAN: return { value: vm.toBoolean(L, idx) ? 'true' : 'false', type: 'boolean', ref: 0 };
      case LUA_TNUMBER: return { value: vm.toDisplayString(L, idx), type: vm.isInteger(L, idx) ? 'integer' : 'float', ref: 0 };
      case LUA_TSTRING: return { value: quote(vm.toStr(L, idx) ?? ''), type: 'string', ref: 0 };
      case LUA_TFUNCTION: return { value: this.functionText(L, idx), type: 'function', ref: this.metaHandle(L, idx, evaluateName) };
      case LUA_TTABLE: return this.renderTable(L, idx, evaluateName);
      case LUA_TTHREAD: {
        const co = vm.toThread(L, idx);
        const status = vm.status(co) === 1 ? 'suspended' : (vm.getStack(co, 0, vm.ar2Ptr) ? 'normal' : 'dead');
        return { value: `thread: 0x${vm.toPointer(L, idx).toString(16)} (${status})`, type: 'thread', ref: 0 };
      }
      case LUA_TUSERDATA:
      case LUA_TLIGHTUSERDATA:
      default: {
        const text = vm.toDisplayString(L, idx);
        return { value: text, type: 'userdata', ref: this.metaHandle(L, idx, evaluateName) };
      }
    }
  }

  private metaHandle(L: LuaState, idx: number, evaluateName?: string): number {
    if (!this.vm.getMetatable(L, idx)) return 0;
    this.vm.pop(L, 1);
    return this.add({ kind: 'value', slot: this.keep(L, idx), evaluateName });
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

  private renderTable(L: LuaState, idx: number, evaluateName?: string): Rendered {
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
    if (parts.length < PREVIEW_ITEMS) {
      vm.pushNil(L);
      while (vm.next(L, abs)) {
        if (!this.isIndexKey(L, -2, indexed)) {
          if (parts.length >= PREVIEW_ITEMS) { vm.pop(L, 2); parts.push('…'); break; }
          parts.push(`${this.keyText(L, -2)}=${this.shortValue(L, -1)}`);
        }
        vm.pop(L, 1);
      }
    } else if (indexed > PREVIEW_ITEMS || (named ?? 1) > 0) {
      parts.push('…');
    }
    let value = `{${parts.join(', ')}}`;
    if (indexed > PREVIEW_ITEMS) value = `table[${indexed}] ${value}`;
    const ref = this.add({ kind: 'value', slot: this.keep(L, abs), evaluateName });
    const hasMeta = vm.getMetatable(L, abs);
    if (hasMeta) vm.pop(L, 1);
    return { value, type: 'table', ref, indexed: indexed || undefined, named: named === undefined ? undefined : named + (hasMeta ? 1 : 0) };
  }

  /** True if the key at idx is an integer in 1..n (the part shown as indexed). */
  private isIndexKey(L: LuaState, idx: number, n: number): boolean {
    const { vm } = this;
    if (!vm.isInteger(L, idx)) return false;
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

  private keyText(L: LuaState, idx: number): string {
    const { vm } = this;
    if (vm.type(L, idx) === LUA_TSTRING) {
      const s = vm.toStr(L, idx)!;
      return isIdentifier(s) ? s : `[${quote(s)}]`;
    }
    return `[${this.shortValue(L, idx)}]`;
  }

  /** A value in one short word, for previews. */
  shortValue(L: LuaState, idx: number): string {
    const { vm } = this;
    switch (vm.type(L, idx)) {
      case LUA_TSTRING: {
        const s = vm.toStr(L, idx) ?? '';
        return quote(s.length > 40 ? `${s.slice(0, 40)}…` : s);
      }
      case LUA_TNUMBER: return vm.toDisplayString(L, idx);
      case LUA_TBOOLEAN: return vm.toBoolean(L, idx) ? 'true' : 'false';
      case LUA_TNIL: return 'nil';
      case LUA_TTABLE: return '{…}';
      case LUA_TFUNCTION: return 'function';
      default: return vm.typeName(L, idx);
    }
  }

  /** Children of a table value: indexed part, named part, then its metatable. */
  tableChildren(L: LuaState, h: Extract<Handle, { kind: 'value' }>, filter?: 'indexed' | 'named', start = 0, count = 0): VariableInfo[] {
    const { vm } = this;
    const out: VariableInfo[] = [];
    this.pushSlot(L, h.slot);
    const abs = vm.getTop(L);
    const base = h.evaluateName;
    const child = (name: string, keyExpr: string): void => {
      const r = this.render(L, -1, base === undefined ? undefined : `${base}${keyExpr}`);
      out.push({ name, value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named, evaluateName: base === undefined ? undefined : `${base}${keyExpr}` });
    };
    if (vm.type(L, abs) === LUA_TTABLE) {
      const n = vm.rawLen(L, abs);
      if (filter !== 'named') {
        const first = filter === 'indexed' ? start + 1 : 1;
        const last = filter === 'indexed' && count > 0 ? Math.min(n, start + count) : n;
        for (let i = first; i <= last; i++) {
          vm.rawGetI(L, abs, i);
          child(`[${i}]`, `[${i}]`);
          vm.pop(L, 1);
        }
      }
      if (filter !== 'indexed') {
        const named: VariableInfo[] = [];
        const saved = out.length;
        vm.pushNil(L);
        while (vm.next(L, abs)) {
          if (!this.isIndexKey(L, -2, n)) {
            const isStr = vm.type(L, -2) === LUA_TSTRING;
            const key = isStr ? vm.toStr(L, -2)! : '';
            const name = isStr ? (isIdentifier(key) ? key : `[${quote(key)}]`) : `[${this.shortValue(L, -2)}]`;
            const keyExpr = isStr && isIdentifier(key) ? `.${key}` : isStr ? `[${quote(key)}]` : `[${this.shortValue(L, -2)}]`;
            child(name, keyExpr);
          }
          vm.pop(L, 1);
        }
        named.push(...out.splice(saved));
        named.sort((a, b) => a.name.localeCompare(b.name));
        const page = filter === 'named' && count > 0 ? named.slice(start, start + count) : named;
        out.push(...page);
      }
    }
    if (filter !== 'indexed' && vm.getMetatable(L, abs)) {
      const r = this.render(L, -1, base === undefined ? undefined : `getmetatable(${base})`);
      out.push({ name: '(metatable)', value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named });
      vm.pop(L, 1);
    }
    vm.pop(L, 1);
    return out;
  }
}

export { LUA_TUSERDATA };
