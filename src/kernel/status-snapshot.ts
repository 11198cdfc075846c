// What a kernel writes to its status file (src/daemon/status-file.ts): its clients, as the
// MessageRouter and the shell socket know them, its shared breakpoints and its state.
import { SHARED_OWNER, type ExecutionManager } from '../debug/index.js';
import type { KernelStatusFile } from '../daemon/status-file.js';
import type { MessageRouter } from './message-router.js';

export function statusSnapshot(em: ExecutionManager, router: MessageRouter, frontends: number): Omit<KernelStatusFile, 'pid' | 'updated'> {
  return {
    state: em.isStopped ? 'stopped' : em.isRunning ? 'running' : 'idle',
    jupyter_frontends: frontends,
    debuggers: router.list().map((c) => ({ id: c.id, kind: c.kind, ...(c.remote ? { remote: c.remote } : {}), attachedAt: c.attachedAt, breakpoints: c.breakpoints })),
    shared_breakpoints: em.breakpointList().filter((b) => b.owner === SHARED_OWNER && b.bp.source !== undefined)
      .map((b) => ({ source: b.bp.source!, line: b.bp.line ?? 0, ...(b.condition ? { condition: b.condition } : {}) })),
  };
}
