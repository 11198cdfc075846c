// The status dump a kernel writes to its log on SIGUSR1: who it is, what runs, where it is
// stopped, its breakpoints, and its clients when something keeps track of them.
import type { ConnectionInfo } from '../jupyter/connection-file.js';
import type { LuaInterpreter } from '../kernel/lua-interpreter.js';
import { currentLogFile, traceLevel } from '../log/index.js';

export interface StatusSources {
  info: ConnectionInfo;
  connectionFile: string;
  interpreter: LuaInterpreter;
  startedAt: Date;
  /** The connected clients, from whatever registry knows them (the MessageRouter). */
  clients?: () => unknown;
  /** The scripts it runs beside the interactive session (`llmspell kernel run`). */
  scripts?: () => unknown;
}

export async function kernelStatus(s: StatusSources): Promise<Record<string, unknown>> {
  const em = s.interpreter.em;
  const state = em.isStopped ? 'stopped' : em.isRunning ? 'running' : 'idle';
  const runtime: Record<string, unknown> = { state, execution_count: s.interpreter.executionCount };
  if (em.isStopped) {
    const stop = em.lastStop;
    runtime.stop = stop ? { reason: stop.reason, description: stop.description, breakpoints: stop.hitBreakpointIds } : null;
    try {
      const top = (await em.stackTrace(0, 1)).frames[0];
      if (top) runtime.at = { function: top.name, source: top.source ?? top.origin, line: top.line };
    } catch {
      // resumed meanwhile
    }
  }
  return {
    kernel_id: s.info.kernel_id ?? null,
    pid: process.pid,
    uptime_s: Math.round((Date.now() - s.startedAt.getTime()) / 1000),
    connection_file: s.connectionFile,
    log_file: currentLogFile(),
    log_level: traceLevel() === 'silent' ? 'off' : traceLevel(),
    ports: { shell: s.info.shell_port, iopub: s.info.iopub_port, stdin: s.info.stdin_port, control: s.info.control_port, hb: s.info.hb_port, dap: s.info.dap_port ?? null, ws: s.info.ws_port ?? null },
    clients: s.clients ? s.clients() : 'unknown',
    runtime,
    scripts: s.scripts ? s.scripts() : [],
    breakpoints: em.breakpointList().map((b) => ({
      id: b.bp.id,
      source: b.bp.source ?? null,
      line: b.bp.line ?? null,
      verified: b.bp.verified,
      owner: b.owner,
      ...(b.condition ? { condition: b.condition } : {}),
      ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
      ...(b.logMessage ? { logMessage: b.logMessage } : {}),
    })),
    memory_mb: Math.round(process.memoryUsage().rss / 1048576),
  };
}
