// Frames of a stopped script: the stopped thread's frames, then (past a boundary) the frames
// of each thread that resumed it. A frame is addressed as (thread, level) until the next resume.
import { AR, LuaVm, type LuaState } from '../lua-vm.js';
import type { ChunkRegistry } from './chunk-registry.js';
import type { FrameInfo } from '../../../debug-protocol.js';

export interface FrameRef {
  thread: LuaState;
  level: number;
  /** The thread's stack depth when the level was taken: calls made since shift the levels. */
  depth: number;
}

export interface StackEntry {
  info: FrameInfo;
  ref: FrameRef | null; // null for boundaries
}

/** Loads frame `ref` into the scratch lua_Debug; false when the level does not exist. */
export function loadFrame(vm: LuaVm, ref: FrameRef, ar = vm.ar2Ptr): boolean {
  const shift = stackDepth(vm, ref.thread) - ref.depth;
  return vm.getStack(ref.thread, ref.level + shift, ar);
}

/** Number of stack levels of thread L. */
export function stackDepth(vm: LuaVm, L: LuaState): number {
  let lo = 0;
  let hi = 1;
  while (vm.getStack(L, hi, vm.ar2Ptr)) { lo = hi; hi *= 2; }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (vm.getStack(L, mid, vm.ar2Ptr)) lo = mid; else hi = mid;
  }
  return vm.getStack(L, 0, vm.ar2Ptr) ? lo + 1 : 0;
}

/** The first level at or above `from` that runs Lua code (skips C frames such as `error`). */
export function firstScriptLevel(vm: LuaVm, L: LuaState, from: number): number {
  for (let level = from; vm.getStack(L, level, vm.ar2Ptr); level++) {
    vm.getInfo(L, 'S', vm.ar2Ptr);
    if (vm.arString(vm.ar2Ptr, AR.what) !== 'C') return level;
  }
  return from;
}

/** Describes one level of a thread, naming the function as a Lua user reads it. */
export function describeFrame(vm: LuaVm, registry: ChunkRegistry, ref: FrameRef, id: number, protoOf: (L: LuaState, ar: number) => number): FrameInfo | null {
  const ar = vm.ar2Ptr;
  if (!loadFrame(vm, ref, ar)) return null;
  const proto = protoOf(ref.thread, ar);
  vm.getInfo(ref.thread, 'nSl', ar);
  const what = vm.arString(ar, AR.what);
  const chunk = vm.arString(ar, AR.source) ?? '?';
  const line = vm.arInt(ar, AR.currentline);
  const callName = vm.arString(ar, AR.name);
  if (what === 'C') {
    return { id, name: callName ? `[C] ${callName}` : '[C] ?', line: 0, kind: 'native' };
  }
  const known = registry.byProto.get(proto);
  let name: string;
  if (what === 'main') name = 'main chunk';
  else if (known?.name) name = known.name;
  else if (callName) name = callName;
  else name = `function <${shortChunk(chunk)}:${vm.arInt(ar, AR.linedefined)}>`;
  const frame: FrameInfo = { id, name, line, kind: 'script' };
  if (chunk.startsWith('@')) frame.source = chunk.slice(1);
  else frame.origin = chunk;
  return frame;
}

/** How a chunk is named in a frame: a file by its base name (the frame's source has the path). */
export function shortChunk(chunk: string): string {
  if (chunk.startsWith('@')) return chunk.slice(1).split(/[\\/]/).pop()!;
  if (chunk.startsWith('=')) return chunk.slice(1);
  return '[string]';
}
