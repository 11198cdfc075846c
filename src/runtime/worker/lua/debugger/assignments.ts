// Setting a variable shown in a scope or under a table: the new value is a Lua expression
// evaluated in the frame the variable was reached from, written straight to its place (a local
// or vararg slot, an upvalue, a global, a table field or a metatable), so a shadowing name or a
// table with no expression to reach it is set all the same. It takes effect when the script resumes.
import { LuaVm, type LuaState } from '../lua-vm.js';
import type { Evaluator } from './evaluator.js';
import type { FrameRef } from './frames.js';
import type { Handle, Rendered, ValueStore } from './values.js';

export function assignVariable(
  vm: LuaVm, evaluator: Evaluator, values: ValueStore, L: LuaState,
  h: Handle, name: string, valueExpr: string, topFrame: FrameRef | null,
): Rendered {
  const frame = ('frame' in h ? h.frame : undefined) ?? topFrame;
  const base = vm.getTop(L);
  try {
    evaluator.evaluateOne(L, valueExpr, frame);
    const v = vm.getTop(L);
    let evaluateName: string | undefined;
    switch (h.kind) {
      case 'locals': {
        if (name === '...') throw new Error("expand '...' to set one of the varargs");
        const slot = evaluator.locals(h.frame).find((s) => s.name === name);
        if (!slot) throw new Error(`'${name}' is not a local variable of this frame`);
        vm.pushValue(L, v);
        evaluator.setLocal(L, h.frame, slot.index);
        evaluateName = name;
        break;
      }
      case 'varargs': {
        const i = Number(/^\[(\d+)\]$/.exec(name)?.[1] ?? 0);
        if (i < 1 || i > evaluator.varargCount(h.frame)) throw new Error(`'${name}' is not one of the varargs`);
        vm.pushValue(L, v);
        evaluator.setLocal(L, h.frame, -i);
        break;
      }
      case 'upvalues': {
        const i = evaluator.upvalueNames(L, h.frame).indexOf(name);
        if (i < 0) throw new Error(`'${name}' is not an upvalue of this function`);
        evaluator.pushFrameFunction(L, h.frame);
        vm.pushValue(L, v);
        if (vm.setUpvalue(L, -2, i + 1) === null) vm.pop(L, 1);
        vm.pop(L, 1);
        evaluateName = name;
        break;
      }
      case 'globals': {
        evaluator.pushGlobalsOf(L, h.frame ?? null);
        vm.pushString(L, name);
        vm.pushValue(L, v);
        vm.rawSet(L, -3);
        vm.pop(L, 1);
        evaluateName = name;
        break;
      }
      case 'value':
        values.setChild(L, h, name, v);
        break;
    }
    return values.render(L, v, evaluateName, frame);
  } finally {
    vm.setTop(L, base);
  }
}
