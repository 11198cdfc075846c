// An expression compiled once and evaluated fast in a frame, for conditions and log points on
// hot lines. It is compiled as `local a, b = ...; return (expr)` where a, b are the frame's
// locals and upvalues the expression names; globals come from the frame's _ENV as usual. The
// binding of names to local slots is made at the first evaluation in each function and
// checked at every evaluation by the local's name.
import { AR, LuaVm, LUA_OK, LUA_REGISTRYINDEX, type LuaState } from '../lua-vm.js';

const encoder = new TextEncoder();
const KEYWORDS = new Set('and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' '));

/** Identifiers the expression may read as variables (not after '.' or ':', not in strings). */
export function freeNames(expr: string): string[] {
  const withoutStrings = expr.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '""').replace(/\[(=*)\[[\s\S]*?\]\1\]/g, '""');
  const names = new Set<string>();
  const re = /(\.\.|[.:])?\s*([A-Za-z_][A-Za-z0-9_]*)/g;
  for (let m = re.exec(withoutStrings); m; m = re.exec(withoutStrings)) {
    if (m[1] === '.' || m[1] === ':') continue;
    if (!KEYWORDS.has(m[2])) names.add(m[2]);
  }
  return [...names];
}

/** Checks that an expression compiles; returns the compiler's message when it does not. */
export function syntaxError(vm: LuaVm, expr: string): string | null {
  const L = vm.L;
  const status = vm.load(L, encoder.encode(`return (${expr})`), '=(condition)', 't');
  const msg = status === LUA_OK ? null : (vm.toStr(L, -1) ?? 'syntax error').replace(/^\(condition\):1: /, '');
  vm.pop(L, 1);
  return msg;
}

interface Binding {
  proto: number;
  fnRefBig: bigint;
  hasUpvalues: boolean;
  /** For each parameter: a local slot (> 0), an upvalue (< 0, negated index), or 0 for nil. */
  slots: number[];
  names: Uint8Array[];
  fnRef: number;
}

export class CompiledExpression {
  private readonly names: string[];
  private readonly bindings = new Map<number, Binding>();

  constructor(private readonly vm: LuaVm, readonly expr: string) {
    this.names = freeNames(expr);
    this.fPtr = vm.cstr('f');
  }

  /**
   * Evaluates in the frame described by `ar` (a hook's record for thread L) and pushes the
   * single result. Returns null, or the error message (nothing pushed).
   */
  evaluate(L: LuaState, ar: number, proto: number): string | null {
    // The hot path of a conditional breakpoint: raw VM calls, each local read once (its name
    // checked against the binding while its value is pushed as an argument).
    const raw = this.vm.raw;
    let b = this.bindings.get(proto);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!b) {
        const made = this.bind(L, ar, proto);
        if (typeof made === 'string') return made;
        b = made;
        this.bindings.set(proto, b);
      }
      const base = raw._lua_gettop(L);
      let fnAbs = 0;
      if (b.hasUpvalues) {
        raw._lua_getinfo(L, this.fPtr, ar);
        fnAbs = base + 1;
      }
      raw._lua_rawgeti(L, LUA_REGISTRYINDEX, b.fnRefBig);
      let valid = true;
      const heap = this.vm.raw.HEAPU8;
      for (let i = 0; i < b.slots.length && valid; i++) {
        const slot = b.slots[i];
        if (slot > 0) {
          const p = raw._lua_getlocal(L, ar, slot);
          const want = b.names[i];
          if (!p) { valid = false; break; }
          for (let k = 0; k < want.length; k++) if (heap[p + k] !== want[k]) { valid = false; break; }
          if (valid && heap[p + want.length] !== 0) valid = false;
        } else if (slot < 0) raw._lua_getupvalue(L, fnAbs, -slot);
        else raw._lua_pushnil(L);
      }
      if (!valid) {
        // The function's locals at this line changed shape (another closure of it): bind again.
        raw._lua_settop(L, base);
        this.bindings.delete(proto);
        b = undefined;
        continue;
      }
      const status = raw._lua_pcallk(L, b.slots.length, 1, 0, 0, 0);
      if (fnAbs) { raw._lua_rotate(L, fnAbs, -1); raw._lua_settop(L, -2); }
      if (status !== LUA_OK) {
        const msg = this.vm.toDisplayString(L, -1).replace(/^\(condition\):1: /, '');
        raw._lua_settop(L, -2);
        return msg;
      }
      return null;
    }
    return 'the frame changed while evaluating the condition';
  }

  private readonly fPtr: number;

  private bind(L: LuaState, ar: number, proto: number): Binding | string {
    const { vm } = this;
    const localIndex = new Map<string, number>();
    for (let i = 1; ; i++) {
      const n = vm.getLocal(L, ar, i);
      if (n === null) break;
      vm.pop(L, 1);
      localIndex.set(n, i); // later (inner) declarations shadow earlier ones
    }
    const upIndex = new Map<string, number>();
    vm.getInfo(L, 'f', ar);
    for (let i = 1; ; i++) {
      const n = vm.getUpvalue(L, -1, i);
      if (n === null) break;
      vm.pop(L, 1);
      if (n !== '_ENV' && !upIndex.has(n)) upIndex.set(n, i);
    }
    vm.pop(L, 1);
    const params = this.names.filter((n) => localIndex.has(n) || upIndex.has(n));
    const slots = params.map((n) => localIndex.get(n) ?? -(upIndex.get(n) ?? 0));
    const head = params.length ? `local ${params.join(', ')} = ...; ` : '';
    if (vm.load(L, encoder.encode(`${head}return (${this.expr})`), '=(condition)', 't') !== LUA_OK) {
      const msg = (vm.toStr(L, -1) ?? 'syntax error').replace(/^\(condition\):1: /, '');
      vm.pop(L, 1);
      return msg;
    }
    // Globals: the frame's own _ENV when it has one (it usually is the global table).
    vm.getInfo(L, 'f', ar);
    for (let i = 1; ; i++) {
      const n = vm.getUpvalue(L, -1, i);
      if (n === null) break;
      if (n === '_ENV') { vm.setUpvalue(L, -3, 1); break; }
      vm.pop(L, 1);
    }
    vm.pop(L, 1);
    const fnRef = vm.ref(L);
    return { proto, slots, names: params.map((n) => encoder.encode(n)), fnRef, fnRefBig: BigInt(fnRef), hasUpvalues: slots.some((x) => x < 0) };
  }
}

export { AR };
