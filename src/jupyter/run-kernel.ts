// Starts a Jupyter kernel on a connection file: the interpreter, the debugger component, the
// sockets and the server, and ends them all on shutdown, SIGTERM, or when the process that
// launched it (Jupyter's JPY_PARENT_PID) is gone. What each signal does is a policy of
// src/daemon/signals.ts, chosen by whoever started the kernel.
import type { Logger } from 'pino';
import { drainForShutdown } from '../daemon/graceful-stop.js';
import { kernelStatus } from '../daemon/kernel-status.js';
import { installKernelSignals, type SignalPolicy } from '../daemon/signals.js';
import { startStatusFile } from '../daemon/status-file.js';
import { JupyterDebugger } from '../kernel/jupyter-debugger.js';
import { createKernelDebugService, type KernelDebugService } from '../kernel/kernel-debug-service.js';
import { serveKernelWebSocket, webSocketHost, type KernelWebSocketServer } from '../kernel/kernel-websocket-server.js';
import { LuaInterpreter } from '../kernel/lua-interpreter.js';
import { statusSnapshot } from '../kernel/status-snapshot.js';
import { readConnectionFile, type ConnectionInfo } from './connection-file.js';
import { KernelFrontends } from './kernel-frontends.js';
import { KernelSockets } from './kernel-sockets.js';
import { KernelServer } from './kernel-server.js';
import type { Header } from './wire.js';

/** How often the kernel checks that its launcher still exists. */
const PARENT_POLL_MS = 1000;

export interface RunKernelOptions {
  /**
   * 'jupyter' (the default, for kernels Jupyter launches): SIGINT interrupts the running cell
   * and SIGHUP stops the kernel. 'service' (self-started kernels, daemons): SIGINT stops the
   * kernel and SIGHUP reopens the log file. See src/daemon/signals.ts.
   */
  signals?: SignalPolicy;
  /** Where to keep the kernel's status file (its clients, for `kernel list`); none without. */
  statusFile?: string;
  /**
   * Serve Jupyter messages and DAP over WebSocket on this port (0: a free one), whatever the
   * connection file says; without it, on the file's `ws_port` when it names one.
   */
  wsPort?: number;
}

export async function runKernel(connectionFile: string, log: Logger, opts: RunKernelOptions = {}): Promise<number> {
  const info = readConnectionFile(connectionFile);
  const startedAt = new Date();
  // Signals are taken from the start: a SIGTERM during startup ends the kernel once it can
  // clean up (its cell files), never by the default action.
  let stopRequest: string | null = null;
  let stopNow: ((why: string) => void) | null = null;
  const requestStop = (why: string): void => {
    if (stopNow) stopNow(why);
    else stopRequest ??= why;
  };
  let server: KernelServer | null = null;
  // Handlers first, then anything that leaves traces (the interpreter makes the cell folder):
  // a signal before `process.on` takes its default action, with no cleanup.
  let started: { interpreter: LuaInterpreter; debugService: KernelDebugService } | null = null;
  const removeSignalHandlers = installKernelSignals(opts.signals ?? 'jupyter', {
    stop: requestStop,
    interrupt: () => server?.interrupt(),
    stopCode: () => {
      const cell = started?.interpreter.cellRunning ?? false;
      server?.interrupt();
      const scripts = started?.debugService.scripts.stopAll() ?? { running: 0, queued: 0 };
      return { cellInterrupted: cell, scriptsEnded: scripts.running, scriptsCancelled: scripts.queued };
    },
    status: () => (started
      ? kernelStatus({ info, connectionFile, interpreter: started.interpreter, startedAt, clients: () => started!.debugService.router.list(), scripts: () => started!.debugService.scripts.list() })
      : { state: 'starting' }),
  }, log);
  const interpreter = new LuaInterpreter();

  // DAP service: every debugger client (dap_port, `llmspell dap`, the Jupyter debugger) is routed here.
  const debugService = createKernelDebugService(info, interpreter.em, () => server?.interrupt(), log);
  started = { interpreter, debugService };
  // Every frontend transport (ZeroMQ now, WebSocket connections as they come) behind one face.
  const frontends = new KernelFrontends();
  const sockets = new KernelSockets(info);
  frontends.add(sockets);
  const wsPort = opts.wsPort ?? info.ws_port;
  let ws: KernelWebSocketServer | null = null;
  try {
    await interpreter.start();
    await sockets.bind();
    await debugService.listen();
    if (wsPort !== undefined) ws = await listenWebSocket(info, wsPort, frontends, debugService, log);
  } catch (e) {
    await debugService.close();
    frontends.close();
    await interpreter.shutdown();
    removeSignalHandlers();
    throw e;
  }
  const dbg = new JupyterDebugger(
    interpreter.em,
    interpreter.cells,
    (event, parent) => void frontends.publish('debug_event', parent as Partial<Header> | null, event),
    () => server?.interrupt(),
    debugService.router,
  );
  const kernelServer = new KernelServer(frontends, interpreter, dbg, log);
  server = kernelServer;
  wireDebugService(debugService, kernelServer);
  kernelServer.start();
  const statusFile = opts.statusFile ? startStatusFile(opts.statusFile, () => statusSnapshot(interpreter.em, debugService.router, sockets.frontends + (ws?.jupyterClients ?? 0)), log) : null;
  log.info({ connectionFile }, 'kernel started');

  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (why: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ why }, 'kernel stopping');
      clearInterval(parentPoll);
      // Stopped by signal or launcher: the running cell is interrupted and answered, and
      // clients are told, before the sockets close (a shutdown_request has done both).
      if (why !== 'shutdown_request') await drainForShutdown(kernelServer, frontends, log);
      statusFile?.close();
      await debugService.close();
      frontends.close();
      await ws?.close();
      await interpreter.shutdown();
      removeSignalHandlers();
      resolve(0);
    };
    kernelServer.onShutdown = () => void stop('shutdown_request');
    // Launched by Jupyter, the kernel ends with its launcher (as ipykernel's parent poller):
    // a frontend that died must not leave an orphan kernel behind.
    const launcher = Number(process.env.JPY_PARENT_PID);
    const parentAtStart = process.ppid;
    const parentPoll = setInterval(() => {
      if (process.ppid !== parentAtStart || !processExists(launcher)) void stop('launcher gone');
    }, PARENT_POLL_MS);
    if (!(launcher > 1)) clearInterval(parentPoll);
    parentPoll.unref();
    stopNow = (why) => void stop(why);
    if (stopRequest) void stop(stopRequest);
  });
}

/** DAP service: cells and interrupts are the causes of what the script does next (event correlation). */
function wireDebugService(service: KernelDebugService, kernelServer: KernelServer): void {
  kernelServer.onExecutionMoved = (msgId) => service.router.correlator.executionMovedBy(msgId);
}

/** The WebSocket endpoint on the kernel's ip; a port that cannot be bound is a clear startup error. */
async function listenWebSocket(info: ConnectionInfo, port: number, frontends: KernelFrontends, debugService: KernelDebugService, log: Logger): Promise<KernelWebSocketServer> {
  const host = webSocketHost(info);
  const wsLog = log.child({ part: 'websocket' });
  try {
    const ws = await serveKernelWebSocket({
      port, host, key: info.key, kernelId: info.kernel_id ?? String(process.pid), frontends, router: debugService.router, throttle: debugService.throttle, log: wsLog,
    });
    const where = { host, ws_port: ws.port, channels: ws.paths.channels, dap: ws.paths.dap };
    // A free port is news nobody else has (Jupyter's file is not rewritten): said at warn, as for DAP.
    if (port === 0) wsLog.warn(where, 'WebSocket listening');
    else wsLog.info(where, 'WebSocket listening');
    return ws;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'the port is in use' : err.message;
    throw new Error(`cannot serve the WebSocket on ${host}:${port}: ${why}`);
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
