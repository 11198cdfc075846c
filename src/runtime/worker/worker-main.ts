// Entry point of a runtime worker thread: owns one script session and runs what the main
// thread asks, posting output and outcomes back. Blocking here never blocks the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL, ControlBlock, RuntimeState } from '../control-block.js';
import type { WorkerCodeCache } from '../worker-loader.cjs';
import type { DebugRequest } from '../debug-protocol.js';
import type { MainToWorker, WorkerData, WorkerToMain } from '../protocol.js';
import type { Debugger as DebuggerClass } from './lua/debugger/debugger.js';
import { LuaSession } from './lua/lua-session.js';
import { receiveMessageOnPort } from 'node:worker_threads';
import { EmptyInput, RequestedInput, type InputAnswer, type InputSource, type OutputSink } from './stdio.js';

const port = parentPort!;
/** Set by the loader (src/runtime/worker-loader.cts); a worker started some other way has none. */
const workerCodeCache = (globalThis as { __llmspellCodeCache?: WorkerCodeCache }).__llmspellCodeCache;
const data = workerData as WorkerData;
const control = new ControlBlock(data.control);

function post(msg: WorkerToMain): void {
  port.postMessage(msg);
}

const out: OutputSink = (stream, bytes) => post({ type: 'output', stream, data: bytes });

async function main(): Promise<void> {
  // 'inherit' is served by the main thread too: a worker blocked in read(0) could not be
  // terminated by Ctrl-C, a worker waiting on its port can.
  const input: InputSource = data.options.stdin === 'request' || data.options.stdin === 'inherit'
      ? new RequestedInput(
        () => post({ type: 'inputRequest' }),
        () => { const m = receiveMessageOnPort(data.stdinPort); return m ? (m.message as InputAnswer) : undefined; },
        () => control.waitForWake(control.wakeCount(), 200),
        () => {
          if (!control.flag(CONTROL.interruptRequested)) return null;
          control.setFlag(CONTROL.interruptRequested, false);
          return 'interrupted!';
        },
      )
      : new EmptyInput();
  const session = await LuaSession.create(data.options, out, input);
  const dbg = data.options.debugger ? await attachDebugger(session) : null;
  // Debug requests that arrive while no script runs are served from the event loop.
  data.debugPort.on('message', (req: DebugRequest) => {
    if (dbg) dbg.handle(req);
    else post({ type: 'debugReply', id: req.id, ok: false, error: 'this runtime was started without the debugger' });
  });

  // The main thread's ReentrySchedule calls this while a chunk runs (lua/top-level-calls.ts).
  (globalThis as { __llmspellReenter?: () => string }).__llmspellReenter = () => {
    if (control.state === RuntimeState.Running && !session.dead) session.reenterInterpreter();
    return 'ok';
  };
  control.state = RuntimeState.Idle;
  post({ type: 'ready', language: 'lua', version: session.version, debuggable: dbg?.available ?? false, codeCache: workerCodeCache?.status ?? 'missing' });

  port.on('message', (msg: MainToWorker) => {
    if (msg.type === 'shutdown') {
      port.close();
      data.debugPort.close();
      return;
    }
    if (msg.type === 'saveCodeCache') {
      let error: string | undefined;
      try {
        if (!workerCodeCache) throw new Error('this worker was not started by its loader');
        workerCodeCache.save();
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
      post({ type: 'codeCacheSaved', id: msg.id, error });
      return;
    }
    if (msg.type === 'checkComplete') {
      const r = session.dead ? { status: 'invalid' as const, message: 'the session has ended' } : session.checkComplete(msg.code);
      post({ type: 'completeness', id: msg.id, status: r.status, message: r.message });
      return;
    }
    if (session.dead) {
      post({ type: 'result', id: msg.id, outcome: { status: 'error', kind: 'load', message: 'the session has ended (os.exit or terminate)' }, reentries: session.reentries });
      return;
    }
    control.setFlag(CONTROL.interruptRequested, false);
    if (input instanceof RequestedInput) input.reset();
    control.state = RuntimeState.Running;
    const outcome = msg.type === 'runFile' ? session.runFile(msg.path, msg.args) : session.runChunk(msg.code, msg.name, msg.wantValues, msg.args);
    control.state = session.dead ? RuntimeState.Dead : RuntimeState.Idle;
    post({ type: 'result', id: msg.id, outcome, reentries: session.reentries });
  });
}

/**
 * Loaded only when asked for: a runtime without it (`llmspell run`) starts sooner. In the
 * worker's bundle (scripts/bundle.mjs) the import evaluates the debugger's modules, already
 * compiled from the code cache.
 */
async function attachDebugger(session: LuaSession): Promise<DebuggerClass> {
  const { Debugger } = await import('./lua/debugger/debugger.js');
  const dbg = new Debugger(session.vm, session.calls, data.debugPort, control, (event) => post({ type: 'debugEvent', event }), post);
  session.debugger = dbg;
  // The main thread's inspector calls this to reach a busy script (pause, breakpoints).
  (globalThis as { __llmspellInterrupt?: () => string }).__llmspellInterrupt = () => { dbg.interrupt(); return 'ok'; };
  return dbg;
}

main().catch((e: unknown) => {
  post({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
});
