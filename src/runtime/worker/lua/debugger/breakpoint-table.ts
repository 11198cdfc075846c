// The worker's breakpoints: bound to the functions (prototypes) of loaded files, so the hooks
// can ask "can this function hit a breakpoint?" with one map lookup.
import type { BreakpointState, ExceptionFilterSpec, FunctionBreakpointSpec, SourceBreakpointSpec } from '../../../debug-protocol.js';
import type { LuaVm } from '../lua-vm.js';
import type { ChunkRegistry, FileInfo } from './chunk-registry.js';
import { CompiledExpression, syntaxError } from './compiled-expression.js';
import { parseHitCondition, parseLogMessage, type HitTest } from './hit-condition.js';

export type LogPart = { text: string } | { expr: CompiledExpression };

export interface ArmedBreakpoint {
  id: number;
  line: number;
  condition: CompiledExpression | null;
  hitTest: HitTest | null;
  log: LogPart[] | null;
  hits: number;
  /** Set when the condition failed to evaluate at the last hit. */
  conditionError?: string;
}

export interface ArmedFunctionBreakpoint {
  id: number;
  name: string;
  condition: CompiledExpression | null;
  hitTest: HitTest | null;
  hits: number;
  conditionError?: string;
}

export interface ArmedExceptionFilter {
  filter: 'uncaught' | 'all';
  condition: string | null;
}

/** "Account:deposit" and "Account.deposit" name the same function. */
const normalizeName = (n: string): string => n.replace(/\s+/g, '').replace(/:/g, '.');

export class BreakpointTable {
  private readonly requested = new Map<string, SourceBreakpointSpec[]>();
  private readonly armed = new Map<number, ArmedBreakpoint>();
  private readonly states = new Map<number, BreakpointState>();
  /** proto → line → breakpoints: the hooks' lookup. */
  readonly byProto = new Map<number, Map<number, ArmedBreakpoint[]>>();
  private functionSpecs: FunctionBreakpointSpec[] = [];
  readonly functionsByProto = new Map<number, ArmedFunctionBreakpoint[]>();
  private readonly armedFunctions = new Map<number, ArmedFunctionBreakpoint>();
  exceptionFilters: ArmedExceptionFilter[] = [];

  constructor(private readonly vm: LuaVm, private readonly registry: ChunkRegistry) {}

  get hasLineBreakpoints(): boolean { return this.byProto.size > 0; }
  get hasFunctionBreakpoints(): boolean { return this.functionsByProto.size > 0; }

  /** Replaces the breakpoints of one source file; returns where each one stands. */
  setSourceBreakpoints(path: string, specs: SourceBreakpointSpec[]): BreakpointState[] {
    for (const old of this.requested.get(path) ?? []) { this.armed.delete(old.id); this.states.delete(old.id); }
    this.requested.set(path, specs);
    const out = specs.map((s) => this.arm(path, s));
    this.rebuildIndex();
    return out;
  }

  private arm(path: string, spec: SourceBreakpointSpec): BreakpointState {
    const fail = (message: string): BreakpointState => {
      const st = { id: spec.id, verified: false, line: spec.line, message };
      this.states.set(spec.id, st);
      return st;
    };
    if (spec.condition?.trim()) {
      const err = syntaxError(this.vm, spec.condition);
      if (err) return fail(`condition does not compile: ${err}`);
    }
    let hitTest: HitTest | null = null;
    if (spec.hitCondition?.trim()) {
      const h = parseHitCondition(spec.hitCondition);
      if (typeof h === 'string') return fail(h);
      hitTest = h;
    }
    let log: LogPart[] | null = null;
    if (spec.logMessage !== undefined) {
      log = [];
      for (const part of parseLogMessage(spec.logMessage)) {
        if ('text' in part) { log.push(part); continue; }
        const err = syntaxError(this.vm, part.expr);
        if (err) return fail(`log message part {${part.expr}} does not compile: ${err}`);
        log.push({ expr: new CompiledExpression(this.vm, part.expr) });
      }
    }
    const armed: ArmedBreakpoint = {
      id: spec.id,
      line: spec.line,
      condition: spec.condition?.trim() ? new CompiledExpression(this.vm, spec.condition) : null,
      hitTest,
      log,
      hits: 0,
    };
    this.armed.set(spec.id, armed);
    // A file not loaded yet is compiled from disk to verify the line now; it binds when it loads.
    const file = this.registry.files.get(path) ?? this.registry.preview(path);
    const st = file ? this.verify(file, armed) : { id: spec.id, verified: false, line: spec.line, message: 'pending: the file is not loaded and cannot be compiled from disk yet' };
    this.states.set(spec.id, st);
    return st;
  }

  /** Moves the breakpoint to the first line with code at or after the requested one. */
  private verify(file: FileInfo, bp: ArmedBreakpoint): BreakpointState {
    const requested = this.requestedLine(bp.id) ?? bp.line;
    const line = file.lines.find((l) => l >= requested);
    if (line === undefined) {
      return { id: bp.id, verified: false, line: requested, message: `no code at or after line ${requested} in ${file.path}` };
    }
    bp.line = line;
    return { id: bp.id, verified: true, line };
  }

  private requestedLine(id: number): number | undefined {
    for (const specs of this.requested.values()) {
      const s = specs.find((x) => x.id === id);
      if (s) return s.line;
    }
    return undefined;
  }

  /** A file was loaded: pending breakpoints in it are verified; returns their new states. */
  onFileLoaded(file: FileInfo): BreakpointState[] {
    const changed: BreakpointState[] = [];
    for (const spec of this.requested.get(file.path) ?? []) {
      const bp = this.armed.get(spec.id);
      if (!bp) continue;
      const st = this.verify(file, bp);
      const before = this.states.get(spec.id);
      this.states.set(spec.id, st);
      if (!before || before.verified !== st.verified || before.line !== st.line) changed.push(st);
    }
    for (const fbp of this.functionSpecs) {
      const before = this.states.get(fbp.id);
      if (before?.verified) continue;
      const st = this.functionState(fbp);
      if (st.verified) { this.states.set(fbp.id, st); changed.push(st); }
    }
    this.rebuildIndex();
    return changed;
  }

  setFunctionBreakpoints(specs: FunctionBreakpointSpec[]): BreakpointState[] {
    for (const old of this.functionSpecs) this.states.delete(old.id);
    this.functionSpecs = specs;
    this.armedFunctions.clear();
    const out: BreakpointState[] = [];
    for (const spec of specs) {
      const fail = (message: string): void => { const st = { id: spec.id, verified: false, message }; this.states.set(spec.id, st); out.push(st); };
      if (spec.condition?.trim()) {
        const err = syntaxError(this.vm, spec.condition);
        if (err) { fail(`condition does not compile: ${err}`); continue; }
      }
      let hitTest: HitTest | null = null;
      if (spec.hitCondition?.trim()) {
        const h = parseHitCondition(spec.hitCondition);
        if (typeof h === 'string') { fail(h); continue; }
        hitTest = h;
      }
      this.armedFunctions.set(spec.id, {
        id: spec.id, name: spec.name, hits: 0, hitTest,
        condition: spec.condition?.trim() ? new CompiledExpression(this.vm, spec.condition) : null,
      });
      const st = this.functionState(spec);
      this.states.set(spec.id, st);
      out.push(st);
    }
    this.rebuildIndex();
    return out;
  }

  private functionState(spec: FunctionBreakpointSpec): BreakpointState {
    const want = normalizeName(spec.name);
    for (const f of this.registry.byProto.values()) {
      if (normalizeName(f.name) === want) return { id: spec.id, verified: true, line: f.lineDefined, source: f.file };
    }
    return { id: spec.id, verified: false, message: `pending: no loaded function is named ${spec.name} yet` };
  }

  setExceptionFilters(filters: ExceptionFilterSpec[]): BreakpointState[] {
    this.exceptionFilters = [];
    return filters.map((f, i) => {
      if (f.condition?.trim()) {
        const err = syntaxError(this.vm, f.condition);
        if (err) return { id: i + 1, verified: false, message: `condition does not compile: ${err}` };
      }
      this.exceptionFilters.push({ filter: f.filter, condition: f.condition?.trim() ? f.condition : null });
      return { id: i + 1, verified: true };
    });
  }

  private rebuildIndex(): void {
    this.byProto.clear();
    for (const [path, specs] of this.requested) {
      const file = this.registry.files.get(path);
      if (!file) continue;
      for (const spec of specs) {
        const bp = this.armed.get(spec.id);
        if (!bp || !this.states.get(spec.id)?.verified) continue;
        for (const f of file.functions) {
          if (!f.lines.includes(bp.line)) continue;
          let lines = this.byProto.get(f.proto);
          if (!lines) { lines = new Map(); this.byProto.set(f.proto, lines); }
          const list = lines.get(bp.line) ?? [];
          list.push(bp);
          lines.set(bp.line, list);
        }
      }
    }
    this.functionsByProto.clear();
    for (const fbp of this.armedFunctions.values()) {
      const want = normalizeName(fbp.name);
      for (const f of this.registry.byProto.values()) {
        if (normalizeName(f.name) !== want) continue;
        const list = this.functionsByProto.get(f.proto) ?? [];
        list.push(fbp);
        this.functionsByProto.set(f.proto, list);
      }
    }
  }

  /** Lines of `path` where a breakpoint can stand, between line and endLine. */
  locations(path: string, line: number, endLine?: number): number[] {
    const file = this.registry.files.get(path);
    if (!file) return [];
    const last = endLine ?? line;
    return file.lines.filter((l) => l >= line && l <= last);
  }
}
