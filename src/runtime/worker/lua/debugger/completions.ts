// Completions for a partial expression: names in scope (locals, upvalues, globals, keywords),
// or the fields of a table after `.` and its methods after `:` (following __index tables).
import type { CompletionItem } from '../../../debug-protocol.js';
import { LuaVm, LUA_TFUNCTION, LUA_TSTRING, LUA_TTABLE, type LuaState } from '../lua-vm.js';
import type { Evaluator } from './evaluator.js';
import type { FrameRef } from './frames.js';
import { isIdentifier } from './values.js';

const KEYWORDS = 'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' ');

/** Splits "a.b:c" at the last separator: the object expression, the separator and the partial name. */
export function splitCompletionTarget(text: string): { object: string | null; sep: string; partial: string } {
  const m = /((?:[A-Za-z_]\w*\s*(?:\[[^\]]*\])*\s*[.:]\s*)*)([A-Za-z_]\w*)?$/.exec(text);
  const path = (m?.[1] ?? '').trim();
  const partial = m?.[2] ?? '';
  if (!path) return { object: null, sep: '', partial };
  return { object: path.slice(0, -1).trim(), sep: path.slice(-1), partial };
}

export function completions(vm: LuaVm, evaluator: Evaluator, L: LuaState, frame: FrameRef | null, text: string, column: number): CompletionItem[] {
  const { object, sep, partial } = splitCompletionTarget(text.slice(0, Math.max(0, column - 1)));
  const items = new Map<string, CompletionItem>();
  const add = (label: string, type: CompletionItem['type']): void => {
    if (label.startsWith(partial) && !items.has(label)) items.set(label, { label, type });
  };
  const base = vm.getTop(L);
  try {
    if (object === null) {
      if (frame) {
        for (const s of evaluator.locals(frame)) add(s.name, 'variable');
        for (const n of evaluator.upvalueNames(L, frame)) if (isIdentifier(n) && n !== '_ENV') add(n, 'variable');
      }
      evaluator.pushGlobalsOf(L, frame);
      fieldsOf(vm, L, vm.getTop(L), false, partial, add, 'variable');
      for (const k of KEYWORDS) add(k, 'keyword');
    } else {
      const r = evaluator.protectedRun(L, object, frame, false);
      if ('error' in r || r.n < 1) return [];
      fieldsOf(vm, L, base + 1, sep === ':', partial, add, 'field');
    }
  } finally {
    vm.setTop(L, base);
  }
  return [...items.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * Adds the string keys of the value at idx and of its __index chain (methods only for ':').
 * Strings and other values without fields of their own still have their metatable's
 * __index (s:upper()). Metamethods met on the chain are left out unless asked for with "__".
 */
function fieldsOf(
  vm: LuaVm, L: LuaState, idx: number, methodsOnly: boolean, partial: string,
  add: (l: string, t: CompletionItem['type']) => void, plain: CompletionItem['type'],
): void {
  let t = vm.absIndex(L, idx);
  for (let depth = 0; depth < 8; depth++) {
    if (vm.type(L, t) === LUA_TTABLE) {
      vm.pushNil(L);
      while (vm.next(L, t)) {
        if (vm.type(L, -2) === LUA_TSTRING) {
          const k = vm.toStr(L, -2)!;
          const isFn = vm.type(L, -1) === LUA_TFUNCTION;
          const inherited = depth > 0 || methodsOnly;
          const hidden = inherited && k.startsWith('__') && !partial.startsWith('__');
          if (isIdentifier(k) && !hidden && (!methodsOnly || isFn)) add(k, isFn ? 'function' : vm.type(L, -1) === LUA_TTABLE ? 'module' : plain);
        }
        vm.pop(L, 1);
      }
    }
    if (!vm.getMetatable(L, t)) break;
    vm.pushString(L, '__index');
    vm.rawGet(L, -2);
    t = vm.getTop(L);
  }
}
