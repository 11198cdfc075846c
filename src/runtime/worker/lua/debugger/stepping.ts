// What a pending step waits for. Depth is the number of frames under and including the frame
// the step started in; a step over stops on a line at that depth or shallower, a step out only
// shallower, a step in on the next line anywhere.
import type { ResumeAction } from '../../../debug-protocol.js';
import type { LuaState } from '../lua-vm.js';

export interface Step {
  kind: 'in' | 'over' | 'out';
  thread: LuaState;
  depth: number;
  /** Reason reported when the step completes ('entry' for stop-on-entry). */
  reason: 'step' | 'entry';
}

export function stepFor(action: ResumeAction, thread: LuaState, depth: number): Step | null {
  if (action === 'continue') return null;
  return { kind: action, thread, depth, reason: 'step' };
}

/** Whether a line event on thread L at the given depth completes the step. */
export function stepDone(step: Step, L: LuaState, depth: number): boolean {
  if (step.kind === 'in') return true;
  if (L !== step.thread) return false;
  return step.kind === 'over' ? depth <= step.depth : depth < step.depth;
}
