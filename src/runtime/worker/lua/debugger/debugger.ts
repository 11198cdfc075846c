// The debugger inside a runtime worker: decides when the script stops (hooks armed only where
// they can matter, decision 3), and while it is stopped serves the main thread's requests by
// blocking this worker on the control block (decision 2).
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CONTROL, ControlBlock, RuntimeState } from '../../../control-block.js';
import { packVariables } from '../../../variable-list.js';
import type {
  BreakpointState, CompletionItem, DebugCommands, DebugEvent, DebugReply, DebugRequest, EvaluateResult, FrameInfo, ResumeAction,
  ScopeInfo, StopInfo, VariableInfo,
} from '../../../debug-protocol.js';
import {
  AR, LuaVm, LUA_HOOKCALL, LUA_HOOKCOUNT, LUA_HOOKLINE, LUA_HOOKRET, LUA_HOOKTAILCALL, LUA_MASKCALL, LUA_MASKCOUNT,
  LUA_MASKLINE, LUA_MASKRET, LUA_MULTRET, LUA_TNIL, LUA_TTABLE, VmUnwind, type LuaState,
} from '../lua-vm.js';
import { BreakpointTable, type ArmedBreakpoint, type ArmedFunctionBreakpoint } from './breakpoint-table.js';
import { assignVariable } from './assignments.js';
import { ChunkRegistry } from './chunk-registry.js';
import { completions } from './completions.js';
import { Evaluator } from './evaluator.js';
import { EntryTraps } from './entry-traps.js';
import { describeFrame, firstScriptLevel, stackDepth, type FrameRef } from './frames.js';
import { LuaLayout } from './lua-layout.js';
import type { ErrorObserver, ProtectedCalls } from './protected-calls.js';
import { stepDone, stepFor, type Step } from './stepping.js';
import { TopLevelCalls } from '../top-level-calls.js';
import { ValueStore } from './values.js';

const ALL = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE;
/** lua_Debug's private CallInfo pointer (see lua-layout.ts). */
const AR_I_CI = 104;

interface StopContext {
  /** Thread on which evaluations run (the one executing the hook or handler). */
  runThread: LuaState;
  /** Threads, innermost first: the stopped one, then each resumer. */
  chain: LuaState[];
  /** Levels to skip on the innermost thread (the message handler, `error`). */
  topOffset: number;
  info: StopInfo;
  frames: { info: FrameInfo; ref: FrameRef | null }[] | null;
  /** Scopes handed out, by frame id. */
  scopes: Map<number, ScopeInfo[]>;
}

export class Debugger implements ErrorObserver {
  readonly layout: LuaLayout;
  readonly registry: ChunkRegistry;
  readonly breakpoints: BreakpointTable;
  private readonly values: ValueStore;
  private readonly evaluator: Evaluator;
  private readonly hookPtr: number;
  private readonly masks = new Map<LuaState, number>();
  private enabled = false;
  private step: Step | null = null;
  /** True while the debugger itself runs Lua (evaluations): hooks ignore those lines. */
  private busy = false;
  private stopCtx: StopContext | null = null;
  private lastException: StopInfo['exception'] | null = null;
  private threadsRef = 0;
  /** Entries into functions with breakpoints are reported by traps in their code (no hook needed). */
  private readonly traps: EntryTraps;
  /** Every function with line breakpoints has its trap: no standing hook is needed for them. */
  private trapsCoverAll = false;
  /** Functions with breakpoints that were running, so could not get their trap yet. */
  private readonly waiting = new Set<number>();
  private retryTraps = false;
  /**
   * Per thread, the frame whose trap LOADK just had its line event (the hook already handled
   * that function's first line): its trap, which comes next, then has nothing to do.
   */
  private readonly firstLineSeen = new Map<LuaState, number>();

  constructor(
    private readonly vm: LuaVm,
    private readonly calls: ProtectedCalls,
    private readonly port: MessagePort,
    private readonly control: ControlBlock,
    private readonly emit: (e: DebugEvent) => void,
    private readonly sendReply: (r: DebugReply) => void,
  ) {
    this.layout = new LuaLayout(vm);
    this.layout.verify();
    this.registry = new ChunkRegistry(vm, this.layout);
    this.breakpoints = new BreakpointTable(vm, this.registry);
    this.traps = new EntryTraps(vm, this.layout);
    if (this.layout.trusted) this.traps.verify();
    this.traps.onEnter = (L) => this.onTrap(L);
    this.keepStringDumpTransparent();
    this.values = new ValueStore(vm);
    this.evaluator = new Evaluator(vm);
    if (this.layout.trusted && this.layout.verifyAllowHook()) this.evaluator.allowHook = (L, on) => this.layout.setAllowHook(L, on);
    this.hookPtr = vm.raw.addFunction(((L: LuaState, ar: number) => this.onHook(L, ar)) as never, 'vii');
    vm.onChunkLoaded = (L, name, src) => this.onChunkLoaded(L, name, src);
    calls.observer = this;
    this.installThreadRegistry();
  }

  get available(): boolean { return this.layout.trusted; }

  /** string.dump writes a function's own code, never the trap a breakpoint put in it. */
  private keepStringDumpTransparent(): void {
    const { vm } = this;
    const L = vm.L;
    vm.getGlobal(L, 'string');
    if (vm.type(L, -1) !== LUA_TTABLE) { vm.pop(L, 1); return; }
    vm.getField(L, -1, 'dump');
    const original = vm.ref(L);
    vm.pushFunction(L, (T) => {
      vm.getRef(T, original);
      vm.insert(T, 1);
      const status = this.traps.withOriginalCode(() => vm.pcall(T, vm.getTop(T) - 1, LUA_MULTRET, 0));
      if (status !== 0) vm.error(T);
      return vm.getTop(T);
    });
    vm.setField(L, -2, 'dump');
    vm.pop(L, 1);
  }

  /**
   * Runs asynchronously (from the main thread's inspector interrupt) while Lua may be running:
   * arms a count hook on the running thread, which then serves pending requests or pauses at
   * the next instruction. lua_sethook is safe to call this way.
   */
  interrupt(): void {
    if (this.control.state !== RuntimeState.Running) return;
    const L = this.calls.running;
    const mask = (this.masks.get(L) ?? this.vm.getHookMask(L)) | LUA_MASKCOUNT;
    this.masks.set(L, mask);
    this.vm.setHook(L, this.hookPtr, mask, 1);
  }

  /** Coroutines are kept in a weak table so hooks can be set on every live thread. */
  private installThreadRegistry(): void {
    const { vm } = this;
    const L = vm.L;
    vm.newTable(L);
    vm.newTable(L);
    vm.pushString(L, 'k');
    vm.setField(L, -2, '__mode');
    vm.setMetatable(L, -2);
    this.threadsRef = vm.ref(L);
  }

  // ---- hooks ----

  private setMask(L: LuaState, mask: number): void {
    if (this.masks.get(L) === mask) return;
    this.masks.set(L, mask);
    this.vm.setHook(L, mask ? this.hookPtr : 0, mask, mask & LUA_MASKCOUNT ? 1 : 0);
  }

  /** The mask a thread resumes with: everything that can matter, narrowed by the hooks themselves. */
  private resumeMask(L: LuaState): number {
    if (!this.enabled) return 0;
    let mask = 0;
    if (this.step) mask = this.step.kind === 'in' || this.step.thread === L ? ALL : LUA_MASKCALL;
    // With traps, lines are watched only on threads that run a function with breakpoints.
    if (this.breakpoints.hasLineBreakpoints && (!this.trapsCoverAll || this.hasBreakpointFrame(L))) mask |= ALL;
    if (this.breakpoints.hasFunctionBreakpoints && !this.trapsCoverAll) mask |= LUA_MASKCALL;
    if (this.control.flag(CONTROL.pauseRequested)) mask |= LUA_MASKCOUNT;
    return mask;
  }

  /** Re-arms every live thread (after breakpoints changed or a stop). */
  private rearmAll(): void {
    const { vm } = this;
    const L = vm.L;
    this.syncTraps();
    this.masks.clear();
    this.setMask(L, this.resumeMask(L));
    vm.getRef(L, this.threadsRef);
    vm.pushNil(L);
    while (vm.next(L, -2)) {
      vm.pop(L, 1);
      const co = vm.toThread(L, -1);
      this.setMask(co, this.resumeMask(co));
    }
    vm.pop(L, 1);
  }

  private onHook(L: LuaState, ar: number): void {
    if (this.busy) return;
    if (this.retryTraps) this.syncTraps();
    // The hottest path: a call while breakpoints are armed elsewhere and nothing is being
    // stepped. It costs every call of the script, so it is a few reads of wasm memory and one
    // set lookup; everything else goes the general way below.
    const heap32 = this.vm.raw.HEAP32;
    if (heap32[ar >> 2] === LUA_HOOKCALL && this.step === null && !this.breakpoints.hasFunctionBreakpoints && this.layout.trusted) {
      const proto = this.layout.protoOfCi(heap32[(ar + AR_I_CI) >> 2]);
      if (!this.breakpoints.byProto.has(proto) && !((this.masks.get(L) ?? 0) & LUA_MASKLINE)) return;
    }
    try {
      const event = this.vm.raw.HEAP32[ar >> 2];
      if (event === LUA_HOOKLINE) this.onLine(L, ar);
      else if (event === LUA_HOOKCALL || event === LUA_HOOKTAILCALL) this.onCall(L, ar);
      else if (event === LUA_HOOKRET) this.onReturn(L, ar);
      else if (event === LUA_HOOKCOUNT) this.onCount(L, ar);
    } catch (e) {
      if (e instanceof VmUnwind || !(e instanceof Error)) throw e;
      this.emit({ kind: 'log', text: `llmspell debugger: internal error in hook: ${e.message}\n` });
    }
  }

  private onCall(L: LuaState, ar: number): void {
    const proto = this.layout.protoOfCi(this.layout.ciOfAr(ar));
    // A patched function's trap checks its function breakpoints (once per call).
    const fbps = this.traps.isPatched(proto) ? undefined : this.breakpoints.functionsByProto.get(proto);
    if (fbps) {
      const hit = fbps.filter((b) => this.passes(L, ar, proto, b));
      if (hit.length) {
        this.stopAt(L, 0, { reason: 'function breakpoint', hitBreakpointIds: hit.map((b) => b.id), description: `Paused on function breakpoint ${hit[0].name}` }, ar);
        return;
      }
    }
    const step = this.step;
    if (step && (step.kind === 'in' || step.thread !== L)) {
      if (step.kind === 'in') this.setMask(L, ALL);
      return;
    }
    // A C function has no lines: nothing to narrow (and a trap must see the mask it was called with).
    if (!proto) return;
    // Lines are watched only in functions that hold breakpoints (or the frame being stepped).
    const mask = this.masks.get(L) ?? 0;
    if (this.breakpoints.byProto.has(proto)) this.setMask(L, ALL | (mask & LUA_MASKCOUNT));
    else if (mask & LUA_MASKLINE) this.setMask(L, (mask & ~LUA_MASKLINE) | LUA_MASKRET);
  }

  private onReturn(L: LuaState, ar: number): void {
    const ci = this.layout.ciOfAr(ar);
    const callerCi = this.layout.previousCi(ci);
    const step = this.step;
    const mask = this.masks.get(L) ?? 0;
    if (step && step.thread === L && step.kind !== 'in') {
      // Returning towards the stepped frame: watch lines again once we are back at its depth.
      if (this.layout.depthOfCi(callerCi) <= step.depth) this.setMask(L, ALL | (mask & LUA_MASKCOUNT));
      return;
    }
    if (this.breakpoints.byProto.has(this.layout.protoOfCi(callerCi))) {
      this.setMask(L, ALL | (mask & LUA_MASKCOUNT));
      return;
    }
    // A function that could not get its trap while it ran can get it once it has returned.
    if (this.waiting.size && this.waiting.has(this.layout.protoOfCi(ci))) this.retryTraps = true;
    // Back where no function with breakpoints runs: nothing to watch until a trap fires again.
    if (!step && this.canDisarm() && !this.hasBreakpointFrameFrom(callerCi)) this.setMask(L, mask & LUA_MASKCOUNT);
  }

  /** Traps report every entry that matters: hooks may go when no breakpointed frame runs. */
  private canDisarm(): boolean {
    return this.trapsCoverAll;
  }

  /** Whether a frame at or below `ci` runs a function with line breakpoints. */
  private hasBreakpointFrameFrom(ci: number): boolean {
    const byProto = this.breakpoints.byProto;
    for (let c = ci; c; c = this.layout.previousCi(c)) if (byProto.has(this.layout.protoOfCi(c))) return true;
    return false;
  }

  private hasBreakpointFrame(L: LuaState): boolean {
    return this.vm.getStack(L, 0, this.vm.ar2Ptr) && this.hasBreakpointFrameFrom(this.layout.ciOfAr(this.vm.ar2Ptr));
  }

  /**
   * A function with breakpoints was entered (its trap ran) on thread L. Unless the line hook
   * already reported this frame's first line (at the trap's LOADK, where it handled the entry),
   * its function breakpoints are checked here (never by the call hook, so a call counts once),
   * and for line breakpoints the hook is armed from here on with the trap standing for the first
   * line event (Lua will not report the line again: it records the trap's CALL as the last pc
   * it saw).
   */
  private onTrap(L: LuaState): void {
    if (this.busy || !this.enabled) return;
    try {
      const f = this.traps.frame(L);
      if (!f) return;
      const { ar, proto } = f;
      const ci = this.layout.ciOfAr(ar);
      const seen = this.firstLineSeen.get(L) === ci;
      this.firstLineSeen.delete(L);
      if (seen) return; // the line hook already handled this entry
      if (this.functionBreakpointStop(L, ar, proto, 1)) return;
      if (!this.breakpoints.byProto.has(proto)) return;
      const mask = this.masks.get(L) ?? 0;
      if (!(mask & LUA_MASKLINE)) this.setMask(L, ALL | (mask & LUA_MASKCOUNT));
      this.lineEvent(L, ar, 1);
    } catch (e) {
      // As in a hook: the debugger's own failure is reported, never raised in the user's function.
      if (e instanceof VmUnwind || !(e instanceof Error)) throw e;
      this.emit({ kind: 'log', text: `llmspell debugger: internal error in entry trap: ${e.message}\n` });
    }
  }

  /**
   * Stops at the entry of a function (frame `ar`, at `level`) when one of its function
   * breakpoints passes; the stop stands for its first line too. Says whether it stopped.
   */
  private functionBreakpointStop(L: LuaState, ar: number, proto: number, level: number): boolean {
    const fbps = this.breakpoints.functionsByProto.get(proto);
    if (!fbps) return false;
    const hit = fbps.filter((b) => this.passes(L, ar, proto, b));
    if (!hit.length) return false;
    this.stopAt(L, level, { reason: 'function breakpoint', hitBreakpointIds: hit.map((b) => b.id), description: `Paused on function breakpoint ${hit[0].name}` }, ar);
    return true;
  }

  /** Every function of every stack (for deciding which ones may be rewritten now). */
  private protosOnStacks(): Set<number> {
    const { vm } = this;
    const out = new Set<number>();
    const add = (T: LuaState): void => {
      if (!vm.getStack(T, 0, vm.ar2Ptr)) return;
      for (let c = this.layout.ciOfAr(vm.ar2Ptr); c; c = this.layout.previousCi(c)) {
        const p = this.layout.protoOfCi(c);
        if (p) out.add(p);
      }
    };
    add(vm.L);
    vm.getRef(vm.L, this.threadsRef);
    vm.pushNil(vm.L);
    while (vm.next(vm.L, -2)) {
      vm.pop(vm.L, 1);
      add(vm.toThread(vm.L, -1));
    }
    vm.pop(vm.L, 1);
    return out;
  }

  /** Gives each function with line breakpoints its trap, and takes traps from the others. */
  private syncTraps(): void {
    this.retryTraps = false;
    if (!this.traps.available) { this.trapsCoverAll = false; return; }
    const wanted = new Set([...this.breakpoints.byProto.keys(), ...this.breakpoints.functionsByProto.keys()]);
    const toPatch = [...wanted].filter((p) => !this.traps.isPatched(p));
    const toRestore = [...this.traps.patched()].filter((p) => !wanted.has(p));
    this.waiting.clear();
    let refused = false;
    if (toPatch.length || toRestore.length) {
      // Code a frame is running cannot be replaced under it: those wait until it returns.
      const running = this.protosOnStacks();
      for (const p of toPatch) {
        if (running.has(p)) this.waiting.add(p);
        else if (!this.traps.patch(p)) refused = true; // no free register or constant: hooks it is
      }
      for (const p of toRestore) if (!running.has(p)) this.traps.unpatch(p);
    }
    this.trapsCoverAll = this.waiting.size === 0 && !refused;
  }

  private onLine(L: LuaState, ar: number): void {
    this.lineEvent(L, ar, 0);
  }

  /** Frame `ar` (at level `level` of L) reached a new line. */
  private lineEvent(L: LuaState, ar: number, level: number): void {
    const ci = this.layout.ciOfAr(ar);
    const proto = this.layout.protoOfCi(ci);
    // The hook reports a patched function's first line at its trap's LOADK: the function's entry
    // is handled here (its function breakpoints first), and its trap, which comes next, knows.
    if (level === 0 && this.traps.trapPc(proto) >= 0 && this.layout.currentPcOfCi(ci, proto) === this.traps.trapPc(proto)) {
      this.firstLineSeen.set(L, ci);
      if (this.functionBreakpointStop(L, ar, proto, 0)) return;
    }
    const lines = this.breakpoints.byProto.get(proto);
    if (lines) {
      const line = this.vm.arInt(ar, AR.currentline);
      const list = lines.get(line);
      if (list) {
        const hit: ArmedBreakpoint[] = [];
        for (const bp of list) if (this.passes(L, ar, proto, bp)) hit.push(bp);
        if (hit.length) {
          const description = hit[0].conditionError ?? 'Paused on breakpoint';
          const info: StopInfo = { reason: 'breakpoint', hitBreakpointIds: hit.map((b) => b.id), description };
          if (hit[0].conditionError) info.exception = { message: hit[0].conditionError, traceback: '', filter: 'condition' };
          hit[0].conditionError = undefined;
          this.stopAt(L, level, info, ar);
          return;
        }
      }
    }
    const step = this.step;
    if (step) {
      if (stepDone(step, L, this.layout.depthOfCi(ci))) {
        this.stopAt(L, level, { reason: step.reason, hitBreakpointIds: [], description: step.reason === 'entry' ? 'Paused on entry' : 'Paused after step' }, ar);
        return;
      }
      // Stepping over a call: no need to watch the lines of deeper frames.
      if (step.kind !== 'in' && step.thread === L && !lines) this.setMask(L, LUA_MASKCALL | LUA_MASKRET | ((this.masks.get(L) ?? 0) & LUA_MASKCOUNT));
      return;
    }
    if (lines) return;
    const count = (this.masks.get(L) ?? 0) & LUA_MASKCOUNT;
    if (this.canDisarm() && !this.hasBreakpointFrameFrom(this.layout.previousCi(ci))) this.setMask(L, count);
    else this.setMask(L, LUA_MASKCALL | LUA_MASKRET | count);
  }

  private onCount(L: LuaState, ar: number): void {
    this.drainCommands();
    if (this.control.flag(CONTROL.interruptRequested)) {
      // Ctrl-C in a REPL or a notebook's interrupt: the running chunk fails, the session stays.
      this.control.setFlag(CONTROL.interruptRequested, false);
      const mask = (this.masks.get(L) ?? 0) & ~LUA_MASKCOUNT;
      this.masks.delete(L);
      this.setMask(L, mask | this.resumeMask(L));
      this.vm.pushString(L, 'interrupted!');
      this.vm.error(L);
    }
    if (this.control.flag(CONTROL.pauseRequested)) {
      this.control.setFlag(CONTROL.pauseRequested, false);
      this.stopAt(L, 0, { reason: 'pause', hitBreakpointIds: [], description: 'Paused' }, ar);
      return;
    }
    const mask = this.masks.get(L) ?? 0;
    this.masks.delete(L);
    this.setMask(L, (mask & ~LUA_MASKCOUNT) | this.resumeMask(L));
  }

  /** Condition, hit count and log message of a breakpoint reached in frame `ar`. */
  private passes(L: LuaState, ar: number, proto: number, bp: ArmedBreakpoint | ArmedFunctionBreakpoint): boolean {
    const { vm } = this;
    if (bp.condition) {
      this.busy = true;
      let err: string | null;
      try {
        err = bp.condition.evaluate(L, ar, proto);
      } finally {
        this.busy = false;
      }
      if (err !== null) {
        // A condition that fails stops and says why, rather than never firing.
        bp.conditionError = `Error in breakpoint condition '${bp.condition.expr}': ${err}`;
        return true;
      }
      const truthy = vm.toBoolean(L, -1);
      vm.pop(L, 1);
      if (!truthy) return false;
    }
    bp.hits++;
    if (bp.hitTest && !bp.hitTest(bp.hits)) return false;
    if ('log' in bp && bp.log) {
      this.emitLog(L, ar, proto, bp.log);
      return false;
    }
    return true;
  }

  private emitLog(L: LuaState, ar: number, proto: number, parts: NonNullable<ArmedBreakpoint['log']>): void {
    const { vm } = this;
    let text = '';
    this.busy = true;
    try {
      for (const p of parts) {
        if ('text' in p) { text += p.text; continue; }
        const err = p.expr.evaluate(L, ar, proto);
        if (err !== null) { text += `<error: ${err}>`; continue; }
        text += vm.toDisplayString(L, -1);
        vm.pop(L, 1);
      }
    } finally {
      this.busy = false;
    }
    vm.getInfo(L, 'S', ar);
    const src = vm.arString(ar, AR.source) ?? '';
    this.emit({ kind: 'log', text: `${text}\n`, source: src.startsWith('@') ? src.slice(1) : undefined, line: vm.arInt(ar, AR.currentline) });
  }

  // ---- errors (called by the protected-call wrappers and the top-level handler) ----

  onError(L: LuaState, errorThread: LuaState, caught: boolean, inHandler: boolean): void {
    if (!this.enabled || this.busy) return;
    const filters = this.breakpoints.exceptionFilters.filter((f) => f.filter === 'all' || (f.filter === 'uncaught' && !caught));
    if (!filters.length) return;
    const { vm } = this;
    // In a handler the error value is its first argument; after a failed resume it is on top of the coroutine.
    const errIdx = inHandler ? 1 : vm.getTop(errorThread);
    const message = vm.toDisplayString(errorThread, errIdx);
    const from = inHandler ? 1 : 0;
    const topOffset = firstScriptLevel(vm, errorThread, from);
    const frame: FrameRef = { thread: errorThread, level: topOffset, depth: stackDepth(vm, errorThread) };
    // The error value is held in the registry while conditions run: inside the evaluation's
    // protected call, stack index errIdx no longer names the handler's argument.
    let errRef = 0;
    const matching = filters.filter((f) => {
      if (!f.condition) return true;
      if (!errRef) {
        vm.pushValue(errorThread, errIdx);
        if (errorThread !== L) vm.xmove(errorThread, L, 1);
        errRef = vm.ref(L);
      }
      const pushErr = (): void => { vm.getRef(L, errRef); };
      this.busy = true;
      const r = this.evaluator.protectedRun(L, f.condition, frame, false, [{ name: 'e', push: pushErr }, { name: 'err', push: pushErr }]);
      this.busy = false;
      if ('error' in r) return true; // a failing condition stops rather than hiding the error
      const ok = vm.toBoolean(L, -1);
      vm.pop(L, r.n);
      return ok;
    });
    if (errRef) vm.unref(L, errRef);
    if (!matching.length) return;
    vm.traceback(L, errorThread, null, topOffset);
    const text = vm.toStr(L, -1) ?? '';
    const traceback = errorThread === vm.L ? TopLevelCalls.withoutRunnerFrame(text) : text;
    vm.pop(L, 1);
    const filter = matching.some((f) => f.filter === 'uncaught') && !caught ? 'uncaught' : 'all';
    const chain = errorThread === L ? undefined : [errorThread];
    this.stopAt(L, topOffset, {
      reason: 'exception',
      hitBreakpointIds: [],
      description: message,
      exception: { message, traceback, filter },
    }, 0, chain);
  }

  onResume(co: LuaState, _from: LuaState): void {
    const { vm } = this;
    const L = vm.L;
    // Remember the thread (weakly) so breakpoints set later reach it too, also while the
    // debugger is off: a function may only be patched when no stack, suspended ones included, runs it.
    vm.getRef(L, this.threadsRef);
    vm.pushThread(co);
    vm.xmove(co, L, 1);
    vm.pushBoolean(L, true);
    vm.rawSet(L, -3);
    vm.pop(L, 1);
    // A coroutine the debugger's own evaluation resumes keeps the hook it was created with
    // (the evaluation's watchdog).
    if (this.busy) return;
    this.masks.delete(co);
    this.setMask(co, this.resumeMask(co));
  }

  onSuspend(co: LuaState, from: LuaState): void {
    const step = this.step;
    if (!step || step.thread !== co) return;
    // The stepped coroutine yielded or ended: continue the step in the code that resumed it.
    this.step = { kind: 'over', thread: from, depth: stackDepth(this.vm, from), reason: 'step' };
    this.masks.delete(from);
    this.setMask(from, ALL);
  }

  // ---- stops ----

  private stopAt(L: LuaState, topOffset: number, info: StopInfo, _ar: number, chainTop?: LuaState[]): void {
    const { vm } = this;
    const running = this.calls.chain.map((c) => c.L).reverse();
    // A failed coroutine may still be on the running chain: list each thread once.
    const chain = chainTop ? [...chainTop, ...running.filter((T) => !chainTop.includes(T))] : running[0] === L ? running : [L];
    this.stopCtx = { runThread: L, chain, topOffset, info, frames: null, scopes: new Map() };
    if (info.exception) this.lastException = info.exception;
    const prevState = this.control.state;
    this.control.state = RuntimeState.Stopped;
    this.busy = true;
    this.emit({ kind: 'stopped', stop: info });
    let action: ResumeAction;
    try {
      action = this.serveWhileStopped();
    } finally {
      this.busy = false;
      this.values.reset();
      this.control.state = prevState === RuntimeState.Stopped ? RuntimeState.Running : prevState;
    }
    // A step from a coroutine that ended in error goes on in the code that resumed it.
    const top = chain[0] === L ? L : L;
    const depth = stackDepth(vm, top) - (chain[0] === L ? topOffset : 0);
    this.step = stepFor(action, top, depth);
    this.stopCtx = null;
    this.emit({ kind: 'continued' });
    this.rearmAll();
  }

  /** Blocks this worker, answering requests, until one resumes the script. */
  private serveWhileStopped(): ResumeAction {
    for (;;) {
      const seen = this.control.wakeCount();
      const m = receiveMessageOnPort(this.port);
      if (!m) {
        this.control.waitForWake(seen, 1000);
        continue;
      }
      const req = m.message as DebugRequest;
      if (req.cmd === 'resume') {
        this.reply(req.id, true, undefined);
        return req.args.action;
      }
      this.handle(req);
    }
  }

  /** Handles requests that arrived while the script runs (called from the count hook). */
  drainCommands(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.handle(m.message as DebugRequest);
  }

  private reply(id: number, ok: boolean, result: unknown): void {
    this.sendReply(ok ? { type: 'debugReply', id, ok: true, result } : { type: 'debugReply', id, ok: false, error: String(result) });
  }

  /** Serves one request; every request gets exactly one reply. */
  handle(req: DebugRequest): void {
    try {
      const result = this.dispatch(req);
      this.reply(req.id, true, result);
    } catch (e) {
      if (e instanceof VmUnwind) throw e;
      this.reply(req.id, false, e instanceof Error ? e.message : String(e));
    }
  }

  private dispatch(req: DebugRequest): unknown {
    switch (req.cmd) {
      case 'enable': return this.enable(req.args.stopOnEntry);
      case 'setBreakpoints': return this.changed(this.breakpoints.setSourceBreakpoints(req.args.source, req.args.breakpoints));
      case 'setFunctionBreakpoints': return this.changed(this.breakpoints.setFunctionBreakpoints(req.args.breakpoints));
      case 'setExceptionFilters': return this.breakpoints.setExceptionFilters(req.args.filters);
      case 'breakpointLocations': return this.breakpoints.locations(req.args.source, req.args.line, req.args.endLine);
      case 'loadedSources': return [...this.registry.files.keys()];
      case 'pause': return undefined; // the flag in the control block does the work
      case 'resume': throw new Error('the script is not stopped');
      case 'stackTrace': return this.stackTrace(req.args.start ?? 0, req.args.levels ?? 0);
      case 'scopes': return this.scopes(req.args.frameId);
      case 'variables': return packVariables(this.variables(req.args));
      case 'evaluate': return this.evaluate(req.args.expression, req.args.frameId, req.args.context);
      case 'setVariable': return this.setVariable(req.args.ref, req.args.name, req.args.value);
      case 'setExpression': return this.setExpression(req.args.expression, req.args.value, req.args.frameId);
      case 'completions': return this.completions(req.args.text, req.args.column, req.args.frameId);
      case 'exceptionInfo': return this.lastException;
      default: throw new Error(`unknown debug command ${(req as { cmd: string }).cmd}`);
    }
  }

  private changed(states: BreakpointState[]): BreakpointState[] {
    if (this.control.state !== RuntimeState.Stopped) this.rearmAll();
    return states;
  }

  private enable(stopOnEntry: boolean): DebugCommands['enable']['result'] {
    if (!this.layout.trusted) throw new Error('debugging is not available: this Lua build has an unexpected memory layout');
    this.enabled = true;
    if (stopOnEntry) this.step = { kind: 'in', thread: this.vm.L, depth: 0, reason: 'entry' };
    this.rearmAll();
  }

  /** Called before each top-level run so the main thread starts with the right hooks. */
  beforeRun(): void {
    if (!this.enabled) return;
    this.masks.delete(this.vm.L);
    this.setMask(this.vm.L, this.resumeMask(this.vm.L));
  }

  afterRun(): void {
    if (this.step?.reason !== 'entry') this.step = null;
    this.lastException = null;
  }

  /** The top-level handler's question: report this uncaught error? */
  onUncaught(L: LuaState): void {
    if (this.calls.takeReported()) return;
    this.onError(L, L, false, true);
  }

  private onChunkLoaded(L: LuaState, chunkName: string, src: Uint8Array): void {
    if (!chunkName.startsWith('@') || this.busy) return;
    const path = chunkName.slice(1);
    const file = this.registry.register(L, path, src);
    if (!this.enabled) return;
    this.emit({ kind: 'loadedSource', path });
    for (const state of this.breakpoints.onFileLoaded(file)) this.emit({ kind: 'breakpoint', state });
    this.rearmAll();
  }

  // ---- inspection while stopped ----

  private ctx(): StopContext {
    if (!this.stopCtx) throw new Error('the script is not stopped');
    return this.stopCtx;
  }

  private frames(): NonNullable<StopContext['frames']> {
    const ctx = this.ctx();
    if (ctx.frames) return ctx.frames;
    const { vm } = this;
    const frames: NonNullable<StopContext['frames']> = [];
    const protoOf = (T: LuaState, ar: number): number => this.layout.protoOfCi(this.layout.ciOfAr(ar));
    ctx.chain.forEach((T, i) => {
      const depth = stackDepth(vm, T);
      if (i > 0) frames.push({ info: { id: frames.length + 1, name: 'resumed by', line: 0, kind: 'boundary' }, ref: null });
      for (let level = i === 0 ? ctx.topOffset : 0; ; level++) {
        const ref = { thread: T, level, depth };
        const info = describeFrame(vm, this.registry, ref, frames.length + 1, protoOf);
        if (!info) break;
        // The main thread's bottom frame is the C function every top-level chunk is called
        // through (top-level-calls.ts), not the user's code.
        if (T === vm.L && level === depth - 1 && info.kind === 'native') break;
        frames.push({ info, ref });
      }
    });
    ctx.frames = frames;
    return frames;
  }

  private frameRef(frameId: number | undefined): FrameRef | null {
    if (frameId === undefined) {
      const first = this.frames().find((f) => f.ref && f.info.kind === 'script');
      return first?.ref ?? null;
    }
    const f = this.frames()[frameId - 1];
    if (!f) throw new Error(`frame ${frameId} does not exist (frames last only until the script resumes)`);
    if (!f.ref) throw new Error('that frame is a coroutine boundary, not a function');
    return f.ref;
  }

  private stackTrace(start: number, levels: number): DebugCommands['stackTrace']['result'] {
    const all = this.frames();
    const end = levels > 0 ? start + levels : all.length;
    return {
      frames: all.slice(start, end).map((f) => (f.ref ? { ...f.info, scopes: this.frameScopes(f.info.id, f.ref) } : f.info)),
      total: all.length,
    };
  }

  private scopes(frameId: number): ScopeInfo[] {
    return this.frameScopes(frameId, this.frameRef(frameId)!);
  }

  /** A frame's scopes, made once per stop: asked again, the same references come back. */
  private frameScopes(frameId: number, ref: FrameRef): ScopeInfo[] {
    const ctx = this.ctx();
    let scopes = ctx.scopes.get(frameId);
    if (!scopes) {
      // No counts: they would walk every local once more, and the client fetches the scope anyway.
      scopes = [
        { name: 'Locals', ref: this.values.add({ kind: 'locals', frame: ref }), expensive: false },
        { name: 'Upvalues', ref: this.values.add({ kind: 'upvalues', frame: ref }), expensive: false },
        { name: 'Globals', ref: this.values.add({ kind: 'globals', frame: ref }), expensive: true },
      ];
      ctx.scopes.set(frameId, scopes);
    }
    return scopes;
  }

  private variables(args: DebugCommands['variables']['args']): VariableInfo[] {
    const { vm } = this;
    const L = this.evalThread();
    const h = this.values.get(args.ref);
    const base = vm.getTop(L);
    const out: VariableInfo[] = [];
    const frame = 'frame' in h ? h.frame : undefined;
    const add = (name: string, evaluateName?: string): void => {
      const r = this.values.render(L, -1, evaluateName, frame);
      out.push({ name, value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named, evaluateName });
      vm.pop(L, 1);
    };
    try {
      switch (h.kind) {
        case 'locals': {
          // A name declared again in the same frame: only its last declaration is visible.
          const lastAt = new Map<string, number>();
          this.evaluator.forEachNamedLocal(L, h.frame, (name) => { lastAt.set(name, out.length); add(name, name); });
          if (lastAt.size < out.length) out.splice(0, out.length, ...out.filter((v, i) => lastAt.get(v.name) === i));
          const nva = this.evaluator.varargCount(h.frame);
          if (nva) out.push({ name: '...', value: `${nva} vararg${nva > 1 ? 's' : ''}`, type: 'varargs', ref: this.values.add({ kind: 'varargs', frame: h.frame }), indexed: nva });
          break;
        }
        case 'varargs': {
          const n = this.evaluator.varargCount(h.frame);
          for (let i = 1; i <= n; i++) { this.evaluator.pushLocal(L, h.frame, -i); add(`[${i}]`, `select(${i}, ...)`); }
          break;
        }
        case 'upvalues': {
          const names = this.evaluator.upvalueNames(L, h.frame);
          this.evaluator.pushFrameFunction(L, h.frame);
          const fn = vm.getTop(L);
          names.forEach((n, i) => { vm.getUpvalue(L, fn, i + 1); add(n, n === '_ENV' ? undefined : n); });
          vm.pop(L, 1);
          break;
        }
        case 'globals': {
          this.evaluator.pushGlobalsOf(L, h.frame ?? null);
          const g = vm.getTop(L);
          const names: string[] = [];
          vm.pushNil(L);
          while (vm.next(L, g)) { vm.pop(L, 1); if (vm.type(L, -1) === 4) names.push(vm.toStr(L, -1)!); }
          names.sort();
          for (const n of names) { vm.getField(L, g, n); add(n, n); }
          vm.pop(L, 1);
          break;
        }
        case 'value':
          return this.values.tableChildren(L, h, args.filter, args.start ?? 0, args.count ?? 0);
      }
    } finally {
      vm.setTop(L, base);
    }
    if (args.start !== undefined || args.count) return out.slice(args.start ?? 0, args.count ? (args.start ?? 0) + args.count : undefined);
    return out;
  }

  private evaluate(expression: string, frameId: number | undefined, context: string): EvaluateResult {
    const { vm } = this;
    // Stopped: in a frame. Idle (a kernel between cells): in the globals.
    const L = this.evalThread();
    const frame = this.stopCtx ? this.frameRef(frameId) : null;
    const base = vm.getTop(L);
    const r = this.evaluator.protectedRun(L, expression, frame, context === 'repl');
    if ('error' in r) throw new Error(r.error);
    try {
      if (r.n === 0) return { value: context === 'repl' ? '' : 'nil', type: 'nil', ref: 0 };
      if (r.n === 1) {
        const v = this.values.render(L, base + 1, isSimpleExpression(expression) ? expression : undefined, frame);
        return { value: v.value, type: v.type, ref: v.ref, indexed: v.indexed, named: v.named };
      }
      const parts: string[] = [];
      for (let i = 1; i <= r.n; i++) parts.push(this.values.render(L, base + i, undefined, frame).value);
      return { value: parts.join(', '), type: 'values', ref: 0 };
    } finally {
      vm.setTop(L, base);
    }
  }

  private setVariable(ref: number, name: string, value: string): EvaluateResult {
    const r = assignVariable(this.vm, this.evaluator, this.values, this.ctx().runThread, this.values.get(ref), name, value, this.frameRef(undefined));
    return { value: r.value, type: r.type, ref: r.ref, indexed: r.indexed, named: r.named };
  }

  private setExpression(expression: string, value: string, frameId?: number): EvaluateResult {
    return this.assign(expression, value, this.frameRef(frameId));
  }

  private assign(target: string, value: string, frame: FrameRef | null): EvaluateResult {
    const { vm } = this;
    const L = this.ctx().runThread;
    const r = this.evaluator.protectedRun(L, `${target} = (${value})`, frame, true);
    if ('error' in r) throw new Error(r.error);
    vm.pop(L, r.n);
    return this.evaluate(target, frame ? this.frameIdOf(frame) : undefined, 'watch');
  }

  private frameIdOf(ref: FrameRef): number | undefined {
    const f = this.frames().find((x) => x.ref && x.ref.thread === ref.thread && x.ref.level === ref.level);
    return f?.info.id;
  }

  private evalThread(): LuaState {
    if (this.stopCtx) return this.stopCtx.runThread;
    if (this.control.state === RuntimeState.Idle) return this.vm.L;
    throw new Error('the script is running: pause it first');
  }

  private completions(text: string, column: number, frameId?: number): CompletionItem[] {
    const L = this.evalThread();
    const frame = this.stopCtx ? this.frameRef(frameId) : null;
    return completions(this.vm, this.evaluator, L, frame, text, column);
  }
}

function isSimpleExpression(e: string): boolean {
  return /^[A-Za-z_][\w]*(\s*(\.[A-Za-z_]\w*|\[[^\]]+\]))*$/.test(e.trim());
}

export { LUA_TNIL, LUA_TTABLE };
