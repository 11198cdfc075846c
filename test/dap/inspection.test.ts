// Inspecting a stopped script through `llmspell dap`: stackTrace paging, scopes, variables
// (lazy tables, paging a 10,000-item table with filter/start/count), evaluate in every
// context, setVariable, setExpression, completions, source, loadedSources and cancel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { breakpointsAt, debugFixture, launch, startAdapter, topFrameId, where, type EventLog, type T } from './dap-client.js';

const accounts = debugFixture('accounts.lua');
const inspect = debugFixture('inspect.lua');
const items = debugFixture('items.lua');
const recursion = debugFixture('recursion.lua');
const modulesDir = debugFixture('modules');

/** A fresh adapter stopped at the first breakpoint of `lines` in `file`. */
async function stoppedAt(t: T, file: string, ...lines: number[]): Promise<{ dc: DebugClient; log: EventLog; frameId: number }> {
  const dc = await startAdapter(t);
  const log = await launch(dc, { program: file }, breakpointsAt(file, ...lines));
  assert.equal((await log.stopped()).body.reason, 'breakpoint');
  return { dc, log, frameId: await topFrameId(dc) };
}

async function scopeVariables(dc: DebugClient, frameId: number, scope = 'Locals'): Promise<Record<string, P.Variable>> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const ref = scopes.find((s) => s.name === scope)!.variablesReference;
  return Object.fromEntries((await dc.variablesRequest({ variablesReference: ref })).body.variables.map((v) => [v.name, v]));
}

const names = (vars: P.Variable[]): string[] => vars.map((v) => v.name);

test('stackTrace pages with startFrame and levels, and every page reports totalFrames', async (t) => {
  const { dc } = await stoppedAt(t, recursion, 4);
  const all = (await dc.stackTraceRequest({ threadId: 1 })).body;
  assert.equal(all.totalFrames, all.stackFrames.length);
  assert.equal(all.totalFrames, 202, 'down(200) … down(0) and the main chunk');
  assert.deepEqual(all.stackFrames.slice(0, 2).map((f) => `${f.name}:${f.line}`), ['down:4', 'down:6']);
  assert.equal(all.stackFrames.at(-1)!.name, 'main chunk');
  assert.equal(all.stackFrames[0].source?.path, recursion);
  assert.equal(all.stackFrames[0].column, 1);

  const first = (await dc.stackTraceRequest({ threadId: 1, startFrame: 0, levels: 20 })).body;
  assert.equal(first.totalFrames, 202);
  assert.deepEqual(first.stackFrames.map((f) => f.id), all.stackFrames.slice(0, 20).map((f) => f.id));
  const middle = (await dc.stackTraceRequest({ threadId: 1, startFrame: 100, levels: 3 })).body;
  assert.deepEqual(middle.stackFrames.map((f) => f.id), all.stackFrames.slice(100, 103).map((f) => f.id));
  const last = (await dc.stackTraceRequest({ threadId: 1, startFrame: 195, levels: 20 })).body;
  assert.equal(last.stackFrames.length, 7, 'a page past the end is cut at the end');
  assert.equal(last.stackFrames.at(-1)!.name, 'main chunk');

  // A frame deep in the stack has its own locals.
  const deep = all.stackFrames[150];
  const n = (await dc.evaluateRequest({ expression: 'n', frameId: deep.id, context: 'watch' })).body.result;
  assert.equal(n, '150');
});

test('scopes are Locals, Upvalues and Globals; variables expand tables lazily with indexed and named counts on tables', async (t) => {
  const { dc, frameId } = await stoppedAt(t, inspect, 22);
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  assert.deepEqual(scopes.map((s) => [s.name, s.expensive, s.presentationHint]), [['Locals', false, 'locals'], ['Upvalues', false, undefined], ['Globals', true, undefined]]);
  assert.equal(scopes[0].namedVariables, undefined, 'no counts: they would cost a walk of the frame');

  const locals = await scopeVariables(dc, frameId);
  assert.deepEqual(Object.keys(locals), ['label', 'i', 'f', 's', 'b', 'n', 'p', 'mixed', 'fn', '...']);
  assert.deepEqual([locals.i.value, locals.i.type], ['3', 'integer']);
  assert.equal(locals.s.value, '"say \\"hi\\"\\n"');
  assert.equal(locals.n.variablesReference, 0, 'a plain value has no children');
  assert.equal(locals.mixed.indexedVariables, 3);
  assert.equal(locals.mixed.namedVariables, 2);
  assert.equal(locals.mixed.evaluateName, 'mixed');

  const indexed = (await dc.variablesRequest({ variablesReference: locals.mixed.variablesReference, filter: 'indexed' })).body.variables;
  assert.deepEqual(indexed.map((v) => `${v.name}=${v.value}`), ['[1]=10', '[2]=20', '[3]=30']);
  const named = (await dc.variablesRequest({ variablesReference: locals.mixed.variablesReference, filter: 'named' })).body.variables;
  assert.deepEqual(named.map((v) => [v.name, v.evaluateName]), [['name', 'mixed.name'], ['[true]', 'mixed[true]']]);

  const p = (await dc.variablesRequest({ variablesReference: locals.p.variablesReference })).body.variables;
  assert.deepEqual(names(p), ['x', 'y', '(metatable)']);
  const varargs = (await dc.variablesRequest({ variablesReference: locals['...'].variablesReference })).body.variables;
  assert.deepEqual(varargs.map((v) => v.value), ['1', '"two"', '3.5']);

  const upvalues = await scopeVariables(dc, frameId, 'Upvalues');
  assert.equal(upvalues.counter.value, '11');
  const globals = await scopeVariables(dc, frameId, 'Globals');
  assert.equal(globals.greeting.value, '"hello"');
  assert.ok(globals.string.variablesReference > 0, 'library tables expand');
});

test('variables pages a table of 10,000 items with filter, start and count', async (t) => {
  const { dc, frameId, log } = await stoppedAt(t, items, 8);
  const table = (await scopeVariables(dc, frameId)).items;
  assert.equal(table.indexedVariables, 10000);
  // The named part of a big array is not counted up front (that would walk the whole table);
  // a client asks for it with filter 'named'.
  assert.ok(table.namedVariables === undefined || table.namedVariables === 2);
  const ref = table.variablesReference;

  const t0 = Date.now();
  const page = (await dc.variablesRequest({ variablesReference: ref, filter: 'indexed', start: 0, count: 100 })).body.variables;
  assert.ok(Date.now() - t0 < 1000, `a page in ${Date.now() - t0} ms`);
  assert.equal(page.length, 100);
  assert.deepEqual([page[0].name, page[0].value, page[99].name], ['[1]', '"item1"', '[100]']);

  const middle = (await dc.variablesRequest({ variablesReference: ref, filter: 'indexed', start: 5000, count: 3 })).body.variables;
  assert.deepEqual(middle.map((v) => `${v.name}=${v.value}`), ['[5001]="item5001"', '[5002]="item5002"', '[5003]="item5003"']);
  const end = (await dc.variablesRequest({ variablesReference: ref, filter: 'indexed', start: 9990, count: 100 })).body.variables;
  assert.equal(end.length, 10, 'a page past the end is cut at the end');
  assert.equal(end.at(-1)!.value, '"item10000"');

  const named = (await dc.variablesRequest({ variablesReference: ref, filter: 'named' })).body.variables;
  assert.deepEqual(named.map((v) => `${v.name}=${v.value}`), ['count=10000', 'kind="list"']);
  const oneNamed = (await dc.variablesRequest({ variablesReference: ref, filter: 'named', start: 1, count: 1 })).body.variables;
  assert.deepEqual(names(oneNamed), ['kind']);

  // An evaluated table pages the same way.
  const ev = (await dc.evaluateRequest({ expression: 'items', frameId, context: 'watch' })).body;
  assert.equal(ev.indexedVariables, 10000);
  const viaEval = (await dc.variablesRequest({ variablesReference: ev.variablesReference, filter: 'indexed', start: 9999, count: 1 })).body.variables;
  assert.deepEqual(names(viaEval), ['[10000]']);

  await dc.continueRequest({ threadId: 1 });
  await log.next('exited');
  assert.equal(log.output('stdout'), 'items\t10000\n');
});

test('evaluate in watch, hover and repl contexts, in the top frame or a caller', async (t) => {
  const { dc, log, frameId } = await stoppedAt(t, accounts, 12);
  const ev = async (expression: string, context: string, id: number | undefined = frameId): Promise<P.EvaluateResponse['body']> =>
    (await dc.evaluateRequest({ expression, frameId: id, context })).body;
  assert.equal((await ev('self.balance + v', 'watch')).result, '11');
  const hover = await ev('self', 'hover');
  assert.match(hover.result, /owner="user1"/);
  assert.ok(hover.variablesReference > 0);
  const fields = (await dc.variablesRequest({ variablesReference: hover.variablesReference, filter: 'named' })).body.variables;
  assert.ok(names(fields).includes('balance'));

  // The repl runs statements; what they print is stdout.
  assert.equal((await ev('local q = v * 3; return q', 'repl')).result, '3');
  const printed = log.outputMatching('stdout', /from the repl\t1\n/);
  assert.equal((await ev('print("from the repl", v)', 'repl')).result, '');
  await printed;

  // A caller frame: the main chunk's loop variable.
  const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  assert.equal(frames[1].name, 'main chunk');
  assert.equal((await ev('i', 'watch', frames[1].id)).result, '1');
  assert.equal((await ev('v', 'watch', undefined)).result, '1', 'without a frame: the top frame');

  await assert.rejects(dc.evaluateRequest({ expression: 'v +', frameId, context: 'watch' }), /unexpected symbol/);
  await assert.rejects(dc.evaluateRequest({ expression: 'nosuch.field', frameId, context: 'hover' }), /attempt to index a nil value/);
  await assert.rejects(dc.evaluateRequest({ expression: 'v', frameId: 9999, context: 'watch' }), /frame 9999 does not exist/);
  assert.equal((await ev('v', 'watch')).result, '1', 'errors leave the frame usable');
});

test('setVariable and setExpression change what the script goes on with', async (t) => {
  const { dc, log, frameId } = await stoppedAt(t, accounts, 12);
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const set = await dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'v', value: '50 * 2' });
  assert.deepEqual([set.body.value, set.body.type], ['100', 'integer']);

  const self = (await scopeVariables(dc, frameId)).self;
  const owner = await dc.setVariableRequest({ variablesReference: self.variablesReference, name: 'owner', value: '"boss"' });
  assert.equal(owner.body.value, '"boss"');

  const expr = await dc.customRequest('setExpression', { expression: 'self.balance', value: '1000', frameId });
  assert.equal((expr.body as P.SetExpressionResponse['body']).value, '1000');
  assert.equal((await dc.evaluateRequest({ expression: 'self.owner .. ":" .. self.balance + v', frameId, context: 'watch' })).body.result, '"boss:1100"');

  await assert.rejects(dc.setVariableRequest({ variablesReference: scopes[0].variablesReference, name: 'v', value: '1 +' }), /unexpected symbol/);
  await assert.rejects(dc.customRequest('setExpression', { expression: 'v + 1', value: '2', frameId }), /syntax error near '\+'/);

  // user1 now ends with 1000 + 100 instead of 11: the total moves by 1089.
  await dc.setBreakpointsRequest({ source: { path: accounts }, breakpoints: [] });
  await dc.continueRequest({ threadId: 1 });
  await log.next('exited');
  assert.equal(log.output('stdout'), 'total\t1254\n');
});

test('completions offer locals, fields after "." and methods after ":"', async (t) => {
  const { dc, frameId } = await stoppedAt(t, inspect, 22);
  const labels = async (text: string, column = text.length + 1): Promise<string[]> =>
    (await dc.completionsRequest({ text, column, frameId })).body.targets.map((c) => c.label);
  assert.ok((await labels('mi')).includes('mixed'));
  assert.ok((await labels('p:')).includes('len'));
  assert.ok((await labels('string.fo')).includes('format'));
  assert.ok((await labels('mixed.')).includes('name'));
  const targets = (await dc.completionsRequest({ text: 'gree', column: 5, frameId })).body.targets;
  assert.deepEqual(targets.find((c) => c.label === 'greeting')?.type, 'variable');
});

test('source returns a file\'s text; loadedSources and loadedSource events list what the script loaded', async (t) => {
  const dc = await startAdapter(t);
  const helper = debugFixture('modules/helper.lua');
  const main = debugFixture('modules/main.lua');
  // A relative program is found from cwd, as are the modules it requires.
  const log = await launch(dc, { program: 'main.lua', cwd: modulesDir }, breakpointsAt(helper, 4));
  await log.stopped();
  assert.equal(await where(dc), 'M.double:4');
  const sources = (await dc.customRequest('loadedSources')).body as P.LoadedSourcesResponse['body'];
  assert.deepEqual(sources.sources.map((s) => s.path).sort(), [helper, main].sort());
  assert.deepEqual(sources.sources.find((s) => s.path === helper)?.name, 'helper.lua');
  const announced = log.of('loadedSource').map((e) => (e as P.LoadedSourceEvent).body);
  assert.deepEqual(announced.map((a) => [a.reason, a.source.path]), [['new', main], ['new', helper]]);

  const text = await dc.sourceRequest({ source: { path: helper }, sourceReference: 0 });
  assert.equal(text.body.content, fs.readFileSync(helper, 'utf8'));
  await assert.rejects(dc.sourceRequest({ sourceReference: 7 }), /only sources with a path/);
  await assert.rejects(dc.sourceRequest({ source: { path: '/no/such/file.lua' }, sourceReference: 0 }), /cannot read source/);
});

test('cancel is answered, and the request it names is answered too', async (t) => {
  const { dc, frameId } = await stoppedAt(t, accounts, 12);
  const [evaluated, cancelled] = await Promise.all([
    dc.evaluateRequest({ expression: 'v', frameId, context: 'watch' }),
    dc.customRequest('cancel', { requestId: 999 }),
  ]);
  assert.equal(evaluated.body.result, '1');
  assert.equal(cancelled.success, true);
  await assert.rejects(dc.customRequest('cancel', { requestId: 'x' }), /requestId' must be a number/);
});
