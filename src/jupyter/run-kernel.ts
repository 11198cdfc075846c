// Starts a Jupyter kernel on a connection file: the interpreter, the debugger component, the
// sockets and the server, and ends them all on shutdown, SIGTERM, or when the process that
// launched it (Jupyter's JPY_PARENT_PID) is gone.
import type { Logger } from 'pino';
import { JupyterDebugger } from '../kernel/jupyter-debugger.js';
import { LuaInterpreter } from '../kernel/lua-interpreter.js';
import { readConnectionFile } from './connection-file.js';
import { KernelSockets } from './kernel-sockets.js';
import { KernelServer } from './kernel-server.js';
import type { Header } from './wire.js';

/** How often the kernel checks that its launcher still exists. */
const PARENT_POLL_MS = 1000;

export async function runKernel(connectionFile: string, log: Logger): Promise<number> {
  const info = readConnectionFile(connectionFile);
  // Signals are taken from the start: a SIGTERM during startup ends the kernel once it can
  // clean up (its cell files), never by the default action.
  let stopRequest: string | null = null;
  let stopNow: ((why: string) => void) | null = null;
  const requestStop = (why: string): void => {
    if (stopNow) stopNow(why);
    else stopRequest ??= why;
  };
  let server: KernelServer | null = null;
  const onTerm = (): void => requestStop('SIGTERM');
  const onHup = (): void => requestStop('SIGHUP');
  // Jupyter may interrupt by signal too: stop the running cell, keep the kernel.
  const onInt = (): void => server?.interrupt();
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  process.on('SIGINT', onInt);
  const removeSignalHandlers = (): void => {
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
    process.off('SIGINT', onInt);
  };

  const interpreter = new LuaInterpreter();
  const sockets = new KernelSockets(info);
  try {
    await interpreter.start();
    await sockets.bind();
  } catch (e) {
    sockets.close();
    await interpreter.shutdown();
    removeSignalHandlers();
    throw e;
  }
  const dbg = new JupyterDebugger(
    interpreter.em,
    interpreter.cells,
    (event, parent) => void sockets.publish('debug_event', parent as Partial<Header> | null, event),
    () => server?.interrupt(),
  );
  const kernelServer = new KernelServer(sockets, interpreter, dbg, log);
  server = kernelServer;
  kernelServer.start();
  log.info({ connectionFile }, 'kernel started');

  return new Promise((resolve) => {
    let stopping = false;
    const stop = async (why: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      log.info({ why }, 'kernel stopping');
      clearInterval(parentPoll);
      sockets.close();
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

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
