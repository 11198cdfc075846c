// Inspection of a stopped script through the ExecutionManager: scopes, values, lazy tables,
// evaluation, assignment, completions and stack frames, on real Lua scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariableInfo } from '../../src/runtime/index.js';
import { Harness, debugFixture } from './harness.js';

const inspect = debugFixture('inspect.lua');
const bigtable = debugFixture('bigtable.lua');
const frames = debugFixture('frames.lua');
const shadow = debugFixture('shadow.lua');

type T = { after: (fn: () => Promise<void>) => void };

/** Launches `file` with breakpoints at `lines` and waits for the first stop. */
async function stopAt(t: T, file: string, lines: number[]): Promise<Harness> {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.setBreakpoints(file, lines.map((line) => ({ line })));
  await h.em.launch({ program: file });
  const s = await h.nextStop();
  assert.equal(s.reason, 'breakpoint');
  return h;
}

function byName(vars: VariableInfo[]): Record<string, VariableInfo> {
  return Object.fromEntries(vars.map((v) => [v.name, v]));
}

async function scopeVars(h: Harness, frameId: number, scope: 'Locals' | 'Upvalues' | 'Globals'): Promise<Record<string, VariableInfo>> {
  const s = (await h.em.scopes(frameId)).find((x) => x.name === scope)!;
  return byName(await h.em.variables(s.ref));
}

const value = async (h: Harness, expression: string, frameId = 1, context: 'watch' | 'hover' | 'repl' = 'watch'): Promise<string> =>
  (await h.em.evaluate(expression, frameId, context)).value;

/** Resumes and waits for the end; returns everything the script printed. */
async function finish(h: Harness): Promise<string> {
  await h.em.continue();
  assert.equal(await h.exited(), 0, h.output);
  return h.output;
}

// ---- scopes ----

test('each frame has Locals, Upvalues and Globals scopes; varargs are a "..." entry', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const scopes = await h.em.scopes(1);
  assert.deepEqual(scopes.map((s) => s.name), ['Locals', 'Upvalues', 'Globals']);
  assert.equal(scopes[2].expensive, true, 'globals are expensive: a client expands them on demand');
  assert.ok(scopes.every((s) => s.ref > 0));

  const locals = await h.em.variables(scopes[0].ref);
  assert.deepEqual(locals.map((v) => v.name), ['label', 'i', 'f', 's', 'b', 'n', 'p', 'mixed', 'fn', '...']);
  // Scopes carry no counts (they would cost a walk of the frame): the client expands them.
  assert.equal(scopes[0].named, undefined);
  const va = locals.at(-1)!;
  assert.equal(va.indexed, 3);
  assert.match(va.value, /3/);
  const vararg = await h.em.variables(va.ref);
  assert.deepEqual(vararg.map((v) => `${v.name}=${v.value}`), ['[1]=1', '[2]="two"', '[3]=3.5']);

  const ups = byName(await h.em.variables(scopes[1].ref));
  assert.equal(ups.counter.value, '11');
  assert.match(ups.Point.value, /len=function/);

  const globals = byName(await h.em.variables(scopes[2].ref));
  assert.equal(globals.greeting.value, '"hello"');
  assert.equal(globals.print.value, 'builtin function');
  assert.equal(globals.greeting.evaluateName, 'greeting');

  // The caller's frame has its own scopes.
  const main = await scopeVars(h, 2, 'Locals');
  assert.deepEqual(Object.keys(main), ['counter', 'Point', 'show']);
  assert.equal(main.counter.value, '11');
  assert.deepEqual(Object.keys(await scopeVars(h, 2, 'Upvalues')), ['_ENV']);
});

test('scopes come with the stack trace: answered without the runtime, the same each time, gone with the stop', async (t) => {
  const h = await stopAt(t, inspect, [22, 27]);
  // Asked before any stack trace, the runtime answers; asked again, with the same references.
  const direct = await h.em.scopes(2);
  assert.deepEqual(await h.em.scopes(2), direct);
  const runtime = (h.em as unknown as { runtime: { debugRequest: (...a: unknown[]) => Promise<unknown> } }).runtime;
  const asked: unknown[] = [];
  const debugRequest = runtime.debugRequest.bind(runtime);
  runtime.debugRequest = (...a: unknown[]) => { asked.push(a[0]); return debugRequest(...a); };
  const { frames: stack } = await h.em.stackTrace();
  assert.ok(stack.every((f) => !('scopes' in f)), 'frames reach users without the scopes field');
  const scopes1 = await h.em.scopes(1);
  assert.deepEqual(await h.em.scopes(2), direct, 'the stack trace carried the same scopes the runtime gave');
  assert.deepEqual(asked, ['stackTrace'], 'scopes of listed frames need no round trip');
  assert.ok(byName(await h.em.variables(scopes1[0].ref)).label, 'the references work');

  await h.em.continue();
  await h.nextStop();
  // A new stop: scopes are the runtime's again (the old ones are stale), until a new trace.
  asked.length = 0;
  const again = await h.em.scopes(1);
  assert.deepEqual(asked, ['scopes']);
  assert.notEqual(again[0].ref, scopes1[0].ref);
  await assert.rejects(h.em.variables(scopes1[0].ref), /resume/);
  await h.em.stackTrace();
  assert.deepEqual(await h.em.scopes(1), again);
});

test('a name declared twice in a frame is listed once, with its visible value', async (t) => {
  const h = await stopAt(t, shadow, [7]);
  const locals = await h.em.variables((await h.em.scopes(1))[0].ref);
  assert.deepEqual(locals.map((v) => `${v.name}=${v.value}`), ['x=2', 'i=1', 'y="inner 1"']);
  assert.equal(await value(h, 'x'), '2');
});

test('values render as Lua shows them', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const l = await scopeVars(h, 1, 'Locals');
  const shown = (v: VariableInfo): string => `${v.type} ${v.value}`;
  assert.equal(shown(l.i), 'integer 3');
  assert.equal(shown(l.f), 'float 3.0');
  assert.equal(shown(l.s), 'string "say \\"hi\\"\\n"');
  assert.equal(shown(l.b), 'boolean true');
  assert.equal(shown(l.n), 'nil nil');
  assert.equal(shown(l.label), 'string "first"');
  assert.equal(shown(l.fn), 'function function inspect.lua:6', 'functions show where they are defined');
  assert.equal(shown(l.p), 'table {x=3, y=4}');
  assert.equal(shown(l.mixed), 'table {10, 20, 30, name="m", [true]=1}');
  for (const v of [l.i, l.f, l.s, l.b, l.n]) assert.equal(v.ref, 0, `${v.name} has no children`);

  const cases: [string, string][] = [
    ['1e100', '1e+100'],
    ['2^53', '9.007199254741e+15'],
    ['10 // 3', '3'],
    ['7 / 2', '3.5'],
    ['-0.0', '-0.0'],
    ['math.huge', 'inf'],
    ['math.mininteger', '-9223372036854775808'],
    ['false', 'false'],
    ['"\\255\\0a\\1" .. "é"', '"\\255\\0a\\1é"'],
    ['"tab\\there"', '"tab\\there"'],
    ['{}', '{}'],
    ['{{1}, {a = {}}}', '{{…}, {…}}'],
    ['{1, 2, 3, 4, 5, 6, 7}', 'table[7] {1, 2, 3, 4, 5, …}'],
    ['{["a key"] = 1}', '{["a key"]=1}'],
    ['{string.rep("x", 50)}', `{"${'x'.repeat(40)}…"}`],
    ['print', 'builtin function'],
    ['Point.len', 'function inspect.lua:10'],
  ];
  for (const [expr, want] of cases) assert.equal(await value(h, expr), want, expr);
  assert.match(await value(h, 'coroutine.create(print)'), /^thread: 0x[0-9a-f]+ \(suspended\)$/);
  assert.match(await value(h, 'coroutine.running()'), /^thread: 0x[0-9a-f]+ \(running\), true$/);
  assert.match(await value(h, 'io.stdout'), /^file \(0x[0-9a-f]+\)$/);
  // Rendering never runs script code: a __tostring written in Lua is not called.
  assert.match(await value(h, 'setmetatable({}, {__tostring = function() error("ran") end})'), /^\{\}$/);
});

// ---- tables ----

test('tables expand lazily: indexed and named parts apart, metatable as a child', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const l = await scopeVars(h, 1, 'Locals');
  const { mixed, p } = l;
  assert.equal(mixed.indexed, 3);
  assert.equal(mixed.named, 2);
  const firstTwo = await h.em.variables(mixed.ref, 'indexed', 0, 2);
  assert.deepEqual(firstTwo.map((v) => `${v.name}=${v.value}`), ['[1]=10', '[2]=20']);
  assert.deepEqual((await h.em.variables(mixed.ref, 'indexed', 2, 5)).map((v) => v.name), ['[3]']);
  const named = await h.em.variables(mixed.ref, 'named');
  assert.deepEqual(named.map((v) => `${v.name}=${v.value}`), ['name="m"', '[true]=1']);
  assert.deepEqual((await h.em.variables(mixed.ref)).map((v) => v.name), ['[1]', '[2]', '[3]', 'name', '[true]']);
  assert.deepEqual((await h.em.variables(mixed.ref, undefined, 2, 2)).map((v) => v.name), ['[3]', 'name'], 'unfiltered pages run over both parts');
  assert.equal(firstTwo[0].evaluateName, 'mixed[1]');
  assert.equal(named[0].evaluateName, 'mixed.name');
  assert.equal(named[1].evaluateName, 'mixed[true]');

  // p: two fields and its metatable, which expands in turn.
  assert.equal(p.indexed, undefined);
  assert.equal(p.named, 3, 'x, y and (metatable)');
  const kids = await h.em.variables(p.ref);
  assert.deepEqual(kids.map((v) => `${v.name}=${v.value}`).slice(0, 2), ['x=3', 'y=4']);
  const meta = kids[2];
  assert.equal(meta.name, '(metatable)');
  assert.equal(meta.evaluateName, 'getmetatable(p)');
  assert.ok(meta.ref > 0);
  assert.deepEqual((await h.em.variables(meta.ref)).map((v) => v.name), ['__index', 'len', 'new']);
  // The metatable is the last named child, also when the named part is paged.
  assert.deepEqual((await h.em.variables(p.ref, 'named', 1, 5)).map((v) => v.name), ['y', '(metatable)']);
  assert.deepEqual((await h.em.variables(p.ref, 'named', 0, 1)).map((v) => v.name), ['x']);

  // Keys sort as numbers, then strings, then the rest.
  const sparse = await h.em.evaluate('{[10] = "a", [2] = "b", [1.5] = "c", zeta = 1, Alpha = 2, [false] = 3}', 1, 'watch');
  assert.equal(sparse.indexed, undefined);
  assert.equal(sparse.named, 6);
  assert.deepEqual((await h.em.variables(sparse.ref)).map((v) => v.name), ['[1.5]', '[2]', '[10]', 'Alpha', 'zeta', '[false]']);
});

test('a 100,000-item table pages its indexed part and its named part', async (t) => {
  const h = await stopAt(t, bigtable, [12]);
  const l = await scopeVars(h, 1, 'Locals');
  const { big, words } = l;
  assert.equal(big.indexed, 100000);
  assert.match(big.value, /^table\[100000\] \{2, 4, 6, 8, 10, …\}$/);

  let t0 = Date.now();
  const first = await h.em.variables(big.ref, 'indexed', 0, 100);
  assert.ok(Date.now() - t0 < 1000, `first page in ${Date.now() - t0} ms`);
  assert.equal(first.length, 100);
  first.forEach((v, i) => {
    assert.equal(v.name, `[${i + 1}]`);
    assert.equal(v.value, String((i + 1) * 2));
    assert.equal(v.type, 'integer');
  });
  const last = await h.em.variables(big.ref, 'indexed', 99_950, 100);
  assert.equal(last.length, 50, 'a page past the end is cut at the end');
  assert.equal(last.at(-1)!.name, '[100000]');
  assert.equal(last.at(-1)!.value, '200000');

  t0 = Date.now();
  const named = await h.em.variables(big.ref, 'named');
  assert.ok(Date.now() - t0 < 2000, `named part in ${Date.now() - t0} ms`);
  assert.deepEqual(named.map((v) => `${v.name}=${v.value}`), ['extra=true', 'label="big"']);

  // Thousands of named keys page in a stable order (w1, w2, ..., w10, ...).
  assert.equal(words.named, 5000);
  const page = await h.em.variables(words.ref, 'named', 100, 50);
  assert.deepEqual(page.map((v) => v.name), Array.from({ length: 50 }, (_, i) => `w${101 + i}`));
  assert.deepEqual(page.map((v) => v.value), Array.from({ length: 50 }, (_, i) => String(101 + i)));
  assert.equal(await finish(h), 'built\t100000\n');
});

test('handles last until the next resume; a stale one is rejected with a clear error', async (t) => {
  const h = await stopAt(t, inspect, [22, 27]);
  const [locals] = await h.em.scopes(1);
  const { p } = await scopeVars(h, 1, 'Locals');
  const evaluated = await h.em.evaluate('mixed', 1, 'watch');
  assert.ok(evaluated.ref > 0);
  await h.em.continue();
  await h.nextStop();
  // New handles exist now; the old numbers must not quietly mean them.
  await h.em.scopes(1);
  await h.em.variables((await h.em.scopes(1))[0].ref);
  for (const ref of [locals.ref, p.ref, evaluated.ref]) {
    await assert.rejects(h.em.variables(ref), /resume/, `reference ${ref}`);
  }
  await assert.rejects(h.em.setVariable(p.ref, 'x', '1'), /resume/);
  await assert.rejects(h.em.variables(99_999), /not valid/);
});

// ---- evaluation ----

test('evaluate: watch and hover take expressions, the repl statements too', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  assert.equal(await value(h, 'p.x + i'), '6');
  assert.equal(await value(h, 'p:len()'), '5.0');
  assert.equal(await value(h, 'mixed.name', 1, 'hover'), '"m"');
  assert.equal(await value(h, 'counter'), '11', 'upvalues are visible');
  assert.equal(await value(h, 'greeting'), '"hello"', 'globals are visible');
  assert.equal(await value(h, '...'), '1, "two", 3.5', "the frame's varargs are `...`");
  assert.equal(await value(h, 'select("#", ...)'), '3');
  const tbl = await h.em.evaluate('mixed', 1, 'watch');
  assert.equal(tbl.indexed, 3);
  assert.deepEqual((await h.em.variables(tbl.ref, 'named')).map((v) => v.evaluateName), ['mixed.name', 'mixed[true]']);

  await assert.rejects(h.em.evaluate('i = 5', 1, 'watch'), /statement.*REPL/);
  await assert.rejects(h.em.evaluate('nosuch.field', 1, 'watch'), /attempt to index a nil value \(global 'nosuch'\)/);
  await assert.rejects(h.em.evaluate('1 +', 1, 'watch'), /unexpected symbol/);
  await assert.rejects(h.em.evaluate('error("boom")', 1, 'repl'), /^Error: boom$/);
  await assert.rejects(h.em.evaluate('i', 99, 'watch'), /frame 99 does not exist/);
  assert.equal(await value(h, 'i'), '3', 'a failed evaluation leaves the frame usable');

  assert.equal(await value(h, 'local q = i * 2; return q + 1', 1, 'repl'), '7');
  assert.equal(await value(h, 'i = 42', 1, 'repl'), '');
  assert.equal(await value(h, 'counter = counter * 2', 1, 'repl'), '');
  assert.equal(await value(h, 'i'), '42', 'the assignment changed the local');
  assert.equal((await h.locals()).i, '42');
  assert.match(await finish(h), /^first\t42\t3\.0\tsay "hi"\n\ttrue\tnil\t22\thello\t/);
  assert.match(h.output, /done\t22\thello/);
});

test('evaluate in a caller frame sees that frame\'s locals, and the repl can change them', async (t) => {
  const h = await stopAt(t, frames, [18]);
  assert.equal(await h.where(), 'inner:18');
  assert.equal(await value(h, 'y'), '6');
  assert.equal(await value(h, 'x'), 'nil', 'x is not visible in inner');
  assert.equal(await value(h, 'x', 2), '5');
  assert.equal(await value(h, 'y', 2), 'nil');
  assert.equal(await value(h, 'x * inner_total', 2), '50');
  assert.equal((await h.locals(2)).x, '5');
  // inner_total is a local of outer (frame 2) that inner uses as an upvalue.
  assert.equal(await value(h, 'inner_total = 100', 2, 'repl'), '');
  assert.equal(await value(h, 'inner_total', 1), '100');
  assert.match(await finish(h), /result\t1\ttrue\t40\t12\t107\n/);
});

// ---- assignment ----

test('setVariable sets locals, varargs, upvalues, globals and table fields from Lua expressions', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const [locals, upvalues, globals] = await h.em.scopes(1);
  const l = byName(await h.em.variables(locals.ref));

  // The new value is an expression evaluated in the frame.
  assert.equal((await h.em.setVariable(locals.ref, 'i', 'i * 10 + #label')).value, '35');
  assert.equal((await h.em.setVariable(locals.ref, 'f', 'f / 2')).value, '1.5');
  assert.equal((await h.em.setVariable(upvalues.ref, 'counter', '100')).value, '100');
  assert.equal((await h.em.setVariable(globals.ref, 'greeting', 'label .. "!"')).value, '"first!"');
  assert.equal((await h.em.setVariable(l.p.ref, 'x', 'p.y * 10')).value, '40');
  assert.equal((await h.em.setVariable(l.mixed.ref, 'name', '"changed"')).value, '"changed"');
  assert.equal((await h.em.setVariable(l.mixed.ref, '[true]', '"T"')).value, '"T"');
  assert.equal((await h.em.setVariable(l['...'].ref, '[2]', '"TWO"')).value, '"TWO"');
  const tbl = await h.em.setVariable(locals.ref, 'n', '{1, 2}');
  assert.equal(tbl.value, '{1, 2}');
  assert.ok(tbl.ref > 0, 'a table set as a value expands');

  // The views agree before the script resumes.
  assert.equal(await value(h, 'i'), '35');
  assert.equal(await value(h, 'mixed[true]'), '"T"');
  assert.deepEqual((await h.em.variables(l.p.ref)).map((v) => `${v.name}=${v.value}`).slice(0, 2), ['x=40', 'y=4']);

  await assert.rejects(h.em.setVariable(locals.ref, 'nosuch', '1'), /not a local/);
  await assert.rejects(h.em.setVariable(locals.ref, 'i', '1 +'), /unexpected symbol/);
  await assert.rejects(h.em.setVariable(locals.ref, 'i', 'nil + 1'), /arithmetic/);
  await assert.rejects(h.em.setVariable(l.p.ref, '(metatable)', '5'), /metatable must be a table/);
  assert.equal(await value(h, 'i'), '35', 'a failed assignment changes nothing');

  assert.match(await finish(h), /^first\t35\t1\.5\tsay "hi"\n\ttrue\ttable: 0x[0-9a-f]+\t100\tfirst!\t40\tchanged\t3\t1\tTWO\t3\.5\ndone\t100\tfirst!\n$/);
});

test('setVariable writes to the place shown, even when another name is in the way', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const [locals] = await h.em.scopes(1);
  const l = byName(await h.em.variables(locals.ref));
  // A table reached through a local of frame 2 is set from frame 2: its value expression sees frame 2.
  const main = await scopeVars(h, 2, 'Locals');
  const point = byName(await h.em.variables(main.Point.ref));
  assert.equal(point.new.value, 'function inspect.lua:6');
  assert.equal((await h.em.setVariable(main.Point.ref, 'tag', 'counter + 1')).value, '12');
  assert.equal(await value(h, 'p.tag'), '12', 'p sees the new field through its metatable');
  // A table that no expression names (an evaluation result) can still have its fields set.
  const anon = await h.em.evaluate('setmetatable({}, {__newindex = function() error("no") end})', 1, 'watch');
  assert.equal((await h.em.setVariable(anon.ref, 'k', '"v"')).value, '"v"', 'fields are set raw');
  assert.match((await h.em.variables(anon.ref))[0].value, /^"v"$/);
  // Replacing a metatable.
  assert.equal((await h.em.setVariable(l.mixed.ref, '(metatable)', '{__index = {extra = "E"}}')).value, '{__index={…}}');
  assert.equal(await value(h, 'mixed.extra'), '"E"');
});

test('setExpression assigns to any assignable expression in a frame', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  assert.equal((await h.em.setExpression('p.x', 'p.x + p.y', 1)).value, '7');
  assert.equal((await h.em.setExpression('s', 's:upper()', 1)).value, '"SAY \\"HI\\"\\n"');
  assert.equal((await h.em.setExpression('mixed["name"]', '"expr"', 1)).value, '"expr"');
  // counter is a local of the main chunk (frame 2) and an upvalue of show.
  assert.equal((await h.em.setExpression('counter', '500', 2)).value, '500');
  assert.equal(await value(h, 'counter', 1), '500');
  await assert.rejects(h.em.setExpression('p.x', 'nosuch.y', 1), /attempt to index a nil value/);
  assert.match(await finish(h), /^first\t3\t3\.0\tSAY "HI"\n\ttrue\tnil\t500\thello\t7\texpr\t3\t/);
  assert.match(h.output, /done\t500\thello/);
});

// ---- completions ----

test('completions offer locals, upvalues, globals, fields after "." and methods after ":"', async (t) => {
  const h = await stopAt(t, inspect, [22]);
  const labels = async (text: string, frameId = 1, column = text.length + 1): Promise<string[]> =>
    (await h.em.completions(text, column, frameId)).map((c) => c.label);

  assert.deepEqual(await labels('mi'), ['mixed']);
  assert.deepEqual(await labels('cou'), ['counter'], 'upvalues');
  assert.deepEqual(await h.em.completions('gre', 4, 1), [{ label: 'greeting', type: 'variable' }]);
  assert.ok((await labels('pr')).includes('print'));
  assert.ok((await labels('ret')).includes('return'), 'keywords');
  assert.deepEqual(await labels('p.'), ['len', 'new', 'x', 'y'], 'fields, also those reached through __index');
  assert.deepEqual(await labels('p.l'), ['len']);
  assert.deepEqual(await labels('p:'), ['len', 'new'], 'only functions after ":"');
  assert.deepEqual(await labels('mixed.'), ['name']);
  assert.deepEqual(await labels('s:up'), ['upper'], 'string methods');
  assert.deepEqual(await labels('string.fo'), ['format']);
  assert.deepEqual(await labels('x = p.y + math.fl'), ['floor']);
  assert.deepEqual(await labels('mi + p.x', 1, 3), ['mixed'], 'the column says where the cursor is');
  assert.deepEqual(await labels('Point:'), ['len', 'new']);
  assert.ok((await labels('sh', 2)).includes('show'), 'frame 2 sees its own locals');
  assert.ok(!(await labels('sh', 1)).includes('show'), 'show is not visible in frame 1');
  assert.deepEqual(await labels('nosuch.'), []);
});

// ---- stack frames ----

test('stack frames: C functions are native, the main chunk and methods are named', async (t) => {
  const h = await stopAt(t, frames, [11, 27, 6]);
  const stack = async (): Promise<string[]> => (await h.em.stackTrace()).frames.map((f) => `${f.kind} ${f.name}:${f.line}`);

  // Inside a comparator called by table.sort.
  assert.deepEqual(await stack(), ['script less:11', 'native [C] sort:0', 'script main chunk:25']);
  const { frames: f1 } = await h.em.stackTrace();
  assert.equal(f1[0].source, frames);
  assert.equal(f1[1].source, undefined, 'a C function has no source');
  assert.equal(f1[2].source, frames);
  // A native frame can still be asked for its scopes.
  assert.deepEqual((await h.em.scopes(2)).map((s) => s.name), ['Locals', 'Upvalues', 'Globals']);
  assert.equal((await h.locals(3)).t, '{3, 1, 2}');
  await h.em.setBreakpoints(frames, [{ line: 27 }, { line: 6 }]);

  // Inside an anonymous function called through pcall.
  await h.em.continue();
  await h.nextStop();
  assert.deepEqual(await stack(), ['script function <frames.lua:26>:27', 'native [C] pcall:0', 'script main chunk:26']);
  assert.equal(await value(h, 'n'), '4');

  // In a method.
  await h.em.continue();
  await h.nextStop();
  assert.deepEqual(await stack(), ['script Account:deposit:6', 'script main chunk:30']);
  assert.equal(await value(h, 'self.balance + v'), '12');
  assert.match(await finish(h), /result\t1\ttrue\t40\t12\t17\n/);
});

test('an evaluation that never ends is stopped after the time limit; the stop and the session go on', async (t) => {
  process.env.LLMSPELL_EVAL_TIMEOUT_MS = '300'; // read by the worker when it starts
  const h = new Harness();
  t.after(() => { delete process.env.LLMSPELL_EVAL_TIMEOUT_MS; return h.close(); });
  await h.em.launch({ program: debugFixture('accounts.lua'), stopOnEntry: true });
  await h.nextStop();
  await assert.rejects(h.em.evaluate('while true do end', 1, 'repl'), /evaluation stopped after 0\.3 s/);
  await assert.rejects(h.em.evaluate('coroutine.wrap(function() while true do end end)()', 1, 'repl'), /evaluation stopped after 0\.3 s/);
  assert.equal((await h.em.evaluate('1 + 1', 1, 'watch')).value, '2', 'the next evaluation works');
  await h.em.stepOver();
  assert.equal((await h.nextStop()).reason, 'step', 'the script still steps');
  await h.em.continue();
  assert.equal(await h.exited(), 0);
});

test('a script re-entered while it ran (top-level-calls.ts) stops, steps and shows its frames as any other', async (t) => {
  const h = await stopAt(t, debugFixture('busy.lua'), [8]);
  const runtime = (h.em as unknown as { runtime: { reentries: number } }).runtime;
  const { frames: stack } = await h.em.stackTrace();
  assert.deepEqual(stack.map((f) => `${f.name}:${f.line}`), ['after:8', 'main chunk:12'], 'no frame for the C function chunks are called through');
  assert.ok('n' in await h.locals());
  await h.em.stepOver();
  await h.nextStop();
  assert.equal(await value(h, 'doubled == n * 2'), 'true');
  assert.equal(await finish(h), 'result\ttrue\n');
  assert.ok(runtime.reentries >= 1, `re-entries: ${runtime.reentries}`);
});
