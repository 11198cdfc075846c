// Ports for a kernel we start ourselves: shell, iopub, stdin, control, heartbeat, then DAP.
// From a base port they are BASE..BASE+5, each checked free (a service's ports should not
// wander); without one the system hands out free ports. A port checked free can still be
// taken before the kernel binds it: binding then fails with a clear error.
import * as net from 'node:net';

export interface KernelPorts {
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  dap_port: number;
}

/** The order ports are assigned from a base. */
export const PORT_ORDER = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port', 'dap_port'] as const;

export class PortError extends Error {}

export async function pickPorts(ip: string, base?: number): Promise<KernelPorts> {
  const ports: number[] = [];
  if (base !== undefined) {
    if (base < 1 || base + PORT_ORDER.length - 1 > 65535) throw new PortError(`--port ${base}: the kernel needs ${PORT_ORDER.length} ports from the base, so use a base from 1 to ${65536 - PORT_ORDER.length}`);
    for (let i = 0; i < PORT_ORDER.length; i++) {
      const port = base + i;
      const server = await listen(ip, port).catch((e: NodeJS.ErrnoException) => {
        throw new PortError(e.code === 'EADDRINUSE'
          ? `port ${port} (${PORT_ORDER[i].replace('_port', '')}) on ${ip} is in use: choose another --port base, or leave --port out to use free ports`
          : `cannot listen on ${ip}:${port}: ${e.message}`);
      });
      await close(server);
      ports.push(port);
    }
  } else {
    // Held open together, so the six are distinct.
    const servers: net.Server[] = [];
    try {
      for (let i = 0; i < PORT_ORDER.length; i++) {
        const server = await listen(ip, 0).catch((e: Error) => {
          throw new PortError(`cannot listen on ${ip}: ${e.message}`);
        });
        servers.push(server);
        ports.push((server.address() as net.AddressInfo).port);
      }
    } finally {
      await Promise.all(servers.map(close));
    }
  }
  return Object.fromEntries(PORT_ORDER.map((name, i) => [name, ports[i]])) as unknown as KernelPorts;
}

/**
 * The WebSocket port of a kernel we start ourselves (`--ws-port`): that port, checked free and
 * not one of the kernel's other ports, or with 0 a free port that is not one of them.
 */
export async function pickWebSocketPort(ip: string, wanted: number, taken: number[]): Promise<number> {
  if (wanted !== 0 && taken.includes(wanted)) throw new PortError(`--ws-port ${wanted} is one of the kernel's other ports (${taken.join(', ')}): choose another`);
  for (;;) {
    const server = await listen(ip, wanted).catch((e: NodeJS.ErrnoException) => {
      throw new PortError(e.code === 'EADDRINUSE'
        ? `--ws-port ${wanted}: port ${wanted} on ${ip} is in use: choose another, or 0 for a free port`
        : `cannot listen on ${ip}:${wanted}: ${e.message}`);
    });
    const port = (server.address() as net.AddressInfo).port;
    await close(server);
    if (!taken.includes(port)) return port;
  }
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
