// `llmspell kernel start|list|status|stop|connect|run|interrupt|install|uninstall`: the Jupyter
// kernel, started by Jupyter or by itself (as a service), and the kernels a runtime directory
// knows of. Argument parsing only: the work is in src/daemon, src/jupyter and src/terminal.
import type { Command } from 'commander';
import type { SpecLocation } from '../../jupyter/kernelspec.js';
import { logger, setTraceLevel } from '../../log/index.js';
import { UsageError } from '../errors.js';
import { parsePort, parseTraceLevel } from '../options.js';

interface WhereOpts { user?: boolean; sysPrefix?: boolean; prefix?: string; name: string }

function location(o: WhereOpts): SpecLocation {
  const chosen = [o.user, o.sysPrefix, o.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --user, --sys-prefix, --prefix DIR');
  if (o.prefix !== undefined) return { kind: 'prefix', dir: o.prefix };
  if (o.sysPrefix) return { kind: 'sys-prefix' };
  return { kind: 'user' };
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`invalid kernel name '${name}': use letters, digits, '.', '_' or '-'`);
  return name;
}

interface StartOpts {
  connectionFile?: string;
  daemon?: boolean;
  port?: number;
  wsPort?: number;
  id?: string;
  ip?: string;
  logFile?: string;
  pidFile?: string;
  trace?: string;
}

/** The --trace level the user gave (after the command or before it), if any. */
function explicitTrace(cmd: Command, opts: { trace?: string }): string | undefined {
  if (opts.trace !== undefined) return opts.trace;
  for (let c: Command | null = cmd.parent; c; c = c.parent) {
    if (c.getOptionValueSource('trace') === 'cli') return String(c.opts().trace);
  }
  return undefined;
}

/** Service errors (a held pid file, a port in use, a bad id) are the user's to fix: one line, exit 1. */
async function asUserError<T>(work: () => Promise<T>): Promise<T> {
  const { ServiceError } = await import('../../daemon/service-kernel.js');
  const { KernelLookupError } = await import('../../daemon/kernel-registry.js');
  const { JupyterClientError } = await import('../../jupyter/client.js');
  const { StopError } = await import('../../daemon/kernel-control.js');
  try {
    return await work();
  } catch (e) {
    if (e instanceof ServiceError || e instanceof KernelLookupError || e instanceof JupyterClientError || e instanceof StopError) throw new UsageError(e.message, 1);
    throw e;
  }
}

export function registerKernel(program: Command): void {
  const kernel = program.command('kernel').description('the Jupyter kernel: start it (for Jupyter or as a service), list, stop and connect to running kernels, run scripts in them, install its kernelspec');

  kernel
    .command('start')
    .description('start a kernel: on the connection file Jupyter wrote, or on its own (picks ports, writes a connection file into the runtime directory)')
    .option('--connection-file <file>', 'run on the connection file Jupyter wrote (Jupyter starts kernels this way)')
    .option('--daemon', 'detach and run in the background; prints the kernel id and connection file')
    .option('--port <base>', 'ports from BASE: shell, iopub, stdin, control, heartbeat, DAP (BASE..BASE+5); default: free ports', parsePort)
    .option('--ws-port <port>', 'also serve Jupyter messages and DAP over WebSocket on PORT (0: a free port), authenticated with the kernel\'s key; see docs/jupyter.md', parsePort)
    .option('--id <id>', 'kernel id (names its files kernel-ID.*); default: 8 random hex digits')
    .option('--ip <addr>', 'address to listen on (default 127.0.0.1)')
    .option('--log-file <file>', 'write logs to FILE (with --daemon the default is kernel-ID.log in the runtime directory)')
    .option('--pid-file <file>', 'pid file (default kernel-ID.pid in the runtime directory)')
    .action(async (opts: StartOpts, cmd: Command) => {
      if (opts.connectionFile !== undefined) {
        const extra = (['daemon', 'port', 'id', 'ip', 'logFile', 'pidFile'] as const).filter((k) => opts[k] !== undefined);
        if (extra.length) throw new UsageError(`--connection-file runs the kernel on Jupyter's file: leave out ${extra.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} (${extra.length > 1 ? 'they are' : 'it is'} for kernels that start on their own)`);
        // Loaded on demand: ZeroMQ is a native module and costs start-up time to every command.
        const { runKernel } = await import('../../jupyter/run-kernel.js');
        const code = await runKernel(opts.connectionFile, logger('kernel'), { wsPort: opts.wsPort }).catch((e: Error) => {
          throw new UsageError(e.message);
        });
        process.exit(code);
      }
      // ZeroMQ binds addresses, not host names; IPv6 endpoints need options the sockets do not set.
      const ip = opts.ip === undefined || opts.ip === 'localhost' ? '127.0.0.1' : opts.ip;
      if (ip.includes(':')) throw new UsageError(`--ip ${ip}: IPv6 addresses are not supported yet; use an IPv4 address such as 127.0.0.1 or 0.0.0.0`);
      if (ip !== '127.0.0.1') {
        process.stderr.write(`llmspell: warning: listening on ${ip}, reachable from other machines; only the key in the connection file protects the kernel\n`);
      }
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const service = { runtimeDir: runtimeDir(), id: opts.id, ip, portBase: opts.port, wsPort: opts.wsPort, logFile: opts.logFile, pidFile: opts.pidFile };
      // A log file gets the kernel's life at info unless --trace says otherwise.
      const trace = explicitTrace(cmd, opts) ?? (opts.daemon || opts.logFile !== undefined ? 'info' : undefined);
      if (opts.daemon) {
        const { startDaemon } = await import('../../daemon/daemonize.js');
        const d = await asUserError(() => startDaemon({ ...service, trace: trace ?? 'info' }));
        process.stdout.write(`Kernel ${d.id} started (pid ${d.pid})\nConnection file: ${d.connectionFile}\nLog file: ${d.logFile}\n`);
        process.exit(0);
      }
      if (trace !== undefined) setTraceLevel(parseTraceLevel(trace));
      const { runServiceKernel } = await import('../../daemon/service-kernel.js');
      const code = await asUserError(() => runServiceKernel(service, (plan) => {
        // A daemon's stdout is its log file: say it there only when someone is watching.
        if (process.stdout.isTTY || opts.logFile === undefined) process.stdout.write(`Kernel ${plan.id} (pid ${process.pid}); connection file: ${plan.connectionFile}\n`);
      }));
      process.exit(code);
    });

  kernel
    .command('list')
    .description('the kernels in the runtime directory: id, pid, ports, state, clients (stale files flagged; no kernel is contacted)')
    .option('--json', 'one JSON array')
    .action(async (opts: { json?: boolean }) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { listKernels } = await import('../../daemon/kernel-registry.js');
      const { formatList, summarize } = await import('../../daemon/kernel-report.js');
      const dir = runtimeDir();
      const entries = listKernels(dir);
      process.stdout.write(opts.json ? `${JSON.stringify(entries.map(summarize), null, 2)}\n` : formatList(entries, dir));
    });

  kernel
    .command('status')
    .description('one kernel: state, ports, clients, shared breakpoints, the scripts it runs, files; exit code 0 when it runs and answers')
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .option('--json', 'as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel } = await import('../../daemon/kernel-registry.js');
      const { formatStatus, summarize } = await import('../../daemon/kernel-report.js');
      const k = await asUserError(async () => findKernel(runtimeDir(), id));
      let heartbeat: boolean | null = null;
      let scripts: Awaited<ReturnType<typeof import('../../kernel/run-in-kernel.js').kernelScripts>> | null = null;
      if (k.state === 'alive' && k.info) {
        const { pingHeartbeat } = await import('../../jupyter/client.js');
        heartbeat = await pingHeartbeat(k.info, 2000);
        // The scripts it runs (`kernel run`), asked over its dap_port; unknown when it cannot say.
        if (heartbeat && k.info.dap_port !== undefined) {
          const { locateKernel } = await import('../../kernel/kernel-lookup.js');
          const { kernelScripts } = await import('../../kernel/run-in-kernel.js');
          scripts = await kernelScripts(locateKernel({ connectionFile: k.connectionFile })).catch(() => null);
        }
      }
      process.stdout.write(opts.json ? `${JSON.stringify({ ...summarize(k), heartbeat, scripts }, null, 2)}\n` : formatStatus(k, heartbeat, scripts));
      process.exitCode = k.state === 'alive' && heartbeat ? 0 : 1;
    });

  kernel
    .command('stop')
    .description('stop a kernel: SIGTERM, then SIGKILL after the timeout; removes its files (also a stale kernel\'s)')
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .option('--timeout <seconds>', 'how long to wait after SIGTERM before SIGKILL', '10')
    .action(async (id: string, opts: { timeout: string }) => {
      const seconds = Number(opts.timeout);
      if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new UsageError(`invalid --timeout '${opts.timeout}': use a number of seconds`);
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel } = await import('../../daemon/kernel-registry.js');
      const { stopKernel } = await import('../../daemon/kernel-control.js');
      const k = await asUserError(async () => findKernel(runtimeDir(), id));
      const r = await asUserError(() => stopKernel(k, seconds * 1000));
      const what: Record<typeof r.outcome, string> = {
        stopped: `Kernel ${k.id} stopped`,
        killed: `Kernel ${k.id} killed (SIGKILL: it did not stop within ${seconds} s of SIGTERM)`,
        stale: `Kernel ${k.id} was not running; removed its files`,
        survived: `Kernel ${k.id} (pid ${k.info?.pid}) survived SIGKILL; its files are left in place`,
      };
      process.stdout.write(`${what[r.outcome]}\n`);
      if (r.outcome === 'survived') process.exitCode = 1;
    });

  kernel
    .command('connect')
    .description('a console on a running kernel over the Jupyter protocol (Ctrl-D leaves; the kernel keeps running)')
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .option('--debug', "the terminal debugger attached to the kernel: breakpoints, steps and inspection of whatever code it runs; Lua typed here runs as a cell")
    .action(async (id: string, opts: { debug?: boolean }) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel } = await import('../../daemon/kernel-registry.js');
      const k = await asUserError(async () => findKernel(runtimeDir(), id));
      if (!k.info) throw new UsageError(`cannot read ${k.connectionFile}: ${k.error}`, 1);
      if (k.state !== 'alive') throw new UsageError(`kernel ${k.id} is not running (its connection file is stale): start it again, or remove the file with llmspell kernel stop ${k.id}`, 1);
      const info = k.info;
      if (opts.debug) {
        const { locateKernel, KernelNotFound } = await import('../../kernel/kernel-lookup.js');
        let dap;
        try {
          dap = locateKernel({ connectionFile: k.connectionFile });
        } catch (e) {
          throw e instanceof KernelNotFound ? new UsageError(e.message, 1) : e;
        }
        const { runKernelDebugConsole } = await import('../../terminal/kernel-debug-console.js');
        const { KernelAttachError } = await import('../../terminal/remote-debuggee.js');
        process.exitCode = await asUserError(() => runKernelDebugConsole({ id: k.id, info, dap }).catch((e: Error) => {
          throw e instanceof KernelAttachError ? new UsageError(e.message, 1) : e;
        }));
        return;
      }
      const { runKernelConsole } = await import('../../terminal/kernel-console.js');
      process.exitCode = await asUserError(() => runKernelConsole({ id: k.id, info }));
    });

  kernel
    .command('run')
    .description('start a script in a running kernel, in a runtime of its own (a DAP thread its debuggers see); returns once it has started')
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .argument('<script>', 'the Lua file to run (a path the kernel can read; relative to this directory)')
    .argument('[args...]', 'arguments for the script (arg[1..n] and ...); after `--` when they start with a dash')
    .option('--wait', 'wait until the script ends and exit with its exit code')
    .action(async (id: string, script: string, args: string[], opts: { wait?: boolean }) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel } = await import('../../daemon/kernel-registry.js');
      const { locateKernel, KernelNotFound } = await import('../../kernel/kernel-lookup.js');
      const { runInKernel, RunInKernelError } = await import('../../kernel/run-in-kernel.js');
      const path = await import('node:path');
      const k = await asUserError(async () => findKernel(runtimeDir(), id));
      const cwd = process.cwd();
      try {
        const address = locateKernel({ connectionFile: k.connectionFile });
        const r = await runInKernel(address, { program: path.resolve(cwd, script), args, cwd, wait: opts.wait === true });
        if (opts.wait) {
          process.stdout.write(`${r.name} (thread ${r.threadId}) in kernel ${address.kernelId} ended with exit code ${r.exitCode}\n`);
          process.exitCode = r.exitCode ?? 1;
        } else if (r.state === 'queued') {
          process.stdout.write(`Queued ${r.name} as thread ${r.threadId} in kernel ${address.kernelId}: it starts when one of the scripts running there ends\n`);
        } else {
          process.stdout.write(`Started ${r.name} as thread ${r.threadId} in kernel ${address.kernelId}\n`);
        }
      } catch (e) {
        if (e instanceof KernelNotFound || e instanceof RunInKernelError) throw new UsageError(e.message, 1);
        throw e;
      }
    });

  kernel
    .command('interrupt')
    .description('interrupt the cell a kernel is running (a Jupyter interrupt_request); the kernel keeps running')
    .argument('<id>', 'kernel id (or a unique prefix, or the path of its connection file)')
    .action(async (id: string) => {
      const { runtimeDir } = await import('../../daemon/runtime-dir.js');
      const { findKernel } = await import('../../daemon/kernel-registry.js');
      const k = await asUserError(async () => findKernel(runtimeDir(), id));
      if (!k.info || k.state !== 'alive') throw new UsageError(`kernel ${k.id} is not running`, 1);
      const { JupyterClient } = await import('../../jupyter/client.js');
      const client = new JupyterClient(k.info);
      try {
        await asUserError(() => client.call('control', 'interrupt_request', {}, 5000));
      } finally {
        client.close();
      }
      process.stdout.write(`Interrupted kernel ${k.id}\n`);
    });

  for (const [cmd, desc] of [['install', 'install the kernelspec so Jupyter offers "Lua (llmspell)"'], ['uninstall', 'remove the kernelspec']] as const) {
    kernel
      .command(cmd)
      .description(desc)
      .option('--user', 'for this user (the default; honours JUPYTER_DATA_DIR)')
      .option('--sys-prefix', "in the Python environment's prefix")
      .option('--prefix <dir>', 'under DIR/share/jupyter/kernels')
      .option('--name <name>', 'kernelspec name', 'llmspell')
      .action(async (opts: WhereOpts) => {
        const where = location(opts);
        const name = checkName(opts.name);
        const { installKernelSpec, uninstallKernelSpec } = await import('../../jupyter/kernelspec.js');
        if (cmd === 'install') {
          process.stdout.write(`Installed kernelspec ${name} in ${installKernelSpec(name, where)}\n`);
        } else {
          const dir = uninstallKernelSpec(name, where);
          if (!dir) throw new UsageError(`no kernelspec named ${name} there`);
          process.stdout.write(`Removed kernelspec ${name} from ${dir}\n`);
        }
      });
  }
}
