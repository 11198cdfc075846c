// Starts a Jupyter kernel on a connection file: the interpreter, the debugger component, the
// sockets and the server, and ends them all on shutdown or SIGTERM.
import type { Logger } from 'pino';
import { JupyterDebugger } from '../kernel/jupyter-debugger.js';
import { LuaInterpreter } from '../kernel/lua-interpreter.js';
import { readConnectionFile } from './connection-file.js';
import { KernelSockets } from './kernel-sockets.js';
import { KernelServer } from './kernel-server.js';

export async function runKernel(connectionFile: string, log: Logger): Promise<number> {
  const info = readConnectionFile(connectionFile);
  const interpreter = new LuaInterpreter();
  await interpreter.start();
  const sockets = new KernelSockets(info);
  await sockets.bind();
  let lastDebugParent: null = null;
  const dbg = new JupyterDebugger(interpreter.em, interpreter.cells, (event) => void sockets.publish('debug_event', lastDebugParent, event));
  const server = new KernelServer(sockets, interpreter, dbg, log);
  server.start();
  log.info({ connectionFile }, 'kernel started');
  return new Promise((resolve) => {
    const stop = async (code: number): Promise<void> => {
      sockets.close();
      await interpreter.shutdown();
      resolve(code);
    };
    server.onShutdown = () => void stop(0);
    process.on('SIGTERM', () => void stop(0));
    // Jupyter may interrupt by signal too: stop the running cell, keep the kernel.
    process.on('SIGINT', () => interpreter.interrupt());
  });
}
