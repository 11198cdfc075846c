// Top-level chunks run on a resumable main thread so that the interpreter loop can be re-entered
// (src/runtime/worker/lua/top-level-calls.ts). These tests pin that a re-entry changes nothing a
// script can see, that the main thread stays unyieldable to scripts as under lua.c, and that a
// real runtime is re-entered while a long chunk runs, with or without the debugger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LuaVm, LUA_OK } from '../../src/runtime/worker/lua/lua-vm.js';
import { TopLevelCalls } from '../../src/runtime/worker/lua/top-level-calls.js';
import { ScriptRuntime } from '../../src/runtime/index.js';

/** A VM whose `poke()` asks for a re-entry, as the main thread's interrupt does. */
async function vmWithPoke(): Promise<{ vm: LuaVm; top: TopLevelCalls; run: (code: string) => { status: number; values: string[] } }> {
  const vm = await LuaVm.create({});
  vm.openLibs();
  const top = new TopLevelCalls(vm);
  top.install();
  const L = vm.L;
  vm.pushFunction(L, () => { top.requestReentry(); return 0; });
  vm.setGlobal(L, 'poke');
  const run = (code: string): { status: number; values: string[] } => {
    const base = vm.getTop(L);
    vm.getGlobal(L, 'debug');
    vm.getField(L, -1, 'traceback');
    vm.remove(L, -2); // the message handler
    assert.equal(vm.load(L, new TextEncoder().encode(code), '=test'), LUA_OK);
    const status = top.call(base + 1, 0);
    const values: string[] = [];
    for (let i = base + 2; i <= vm.getTop(L); i++) values.push(vm.toDisplayString(L, i));
    vm.setTop(L, base);
    return { status, values };
  };
  return { vm, top, run };
}

test('a re-entered chunk goes on where it was: locals, upvalues, pending calls, pcall, results', async () => {
  const { top, run } = await vmWithPoke();
  const r = run(`
    local count = 0
    local function deep(n)
      if n == 0 then poke() return 0 end  -- re-entered three Lua calls and a pcall down
      local ok, v = pcall(deep, n - 1)
      count = count + 1
      return v + n
    end
    local t = setmetatable({}, { __index = function(_, k) return k * 2 end })
    local sum = deep(3)
    for i = 1, 3 do poke(); sum = sum + t[i] end  -- and three more times in a loop
    return sum, count, coroutine.running() ~= nil, select(2, coroutine.running())`);
  assert.equal(r.status, LUA_OK);
  assert.deepEqual(r.values, ['18', '3', 'true', 'true']);
  assert.equal(top.reentries, 4);
});

test('a hook set after a re-entry sees every line of the re-entered frame, as without one', async () => {
  const { top, run } = await vmWithPoke();
  const chunk = (first: string): string => `
    local lines = {}
    local function watch() debug.sethook(function(_, l) lines[#lines + 1] = l end, "l") end
    ${first}
    watch()
    local x = 1
    local y = x + 1
    debug.sethook()
    return table.concat(lines, ",")`;
  const plain = run(chunk('local nothing = 0'));
  const reentered = run(chunk('poke()'));
  assert.equal(top.reentries, 1);
  assert.deepEqual(reentered.values, plain.values);
  assert.match(plain.values[0]!, /^\d+,\d+,\d+/);
});

test('where the main thread cannot be resumed (Lua called back from C), the request waits for a later one', async () => {
  const { top, run } = await vmWithPoke();
  const r = run(`
    local t = {3, 1, 2}
    table.sort(t, function(a, b) poke() return a < b end)  -- a comparator runs under C
    return table.concat(t, ",")`);
  assert.equal(r.status, LUA_OK);
  assert.deepEqual(r.values, ['1,2,3']);
  assert.equal(top.reentries, 0);
});

test('errors after a re-entry are reported through the message handler, with their traceback', async () => {
  const { top, run } = await vmWithPoke();
  const r = run('local function f() poke(); local x = 1; error("boom " .. x) end\nf()');
  assert.notEqual(r.status, LUA_OK);
  assert.match(r.values.at(-1)!, /boom 1\nstack traceback:\n.*in function 'error'[\s\S]*in local 'f'/);
  assert.equal(top.reentries, 1);
  // The state goes on: the next chunk runs as usual.
  assert.deepEqual(run('return 1 + 1').values, ['2']);
});

test('the main chunk still cannot yield, as under lua.c; coroutines still can', async () => {
  const { run } = await vmWithPoke();
  assert.deepEqual(run('return coroutine.isyieldable(), coroutine.isyieldable(coroutine.running())').values, ['false', 'false']);
  assert.deepEqual(run('return pcall(coroutine.yield, 1)').values, ['false', 'attempt to yield from outside a coroutine']);
  const top = run('coroutine.yield(1)');
  assert.notEqual(top.status, LUA_OK);
  assert.match(top.values.at(-1)!, /^attempt to yield from outside a coroutine\nstack traceback:\n\t\[C\]: in function 'coroutine.yield'/);
  assert.deepEqual(run(`
    local co = coroutine.create(function(a) local b = coroutine.yield(a + 1, coroutine.isyieldable()) return b * 2 end)
    local _, x, y = coroutine.resume(co, 1)
    local _, z = coroutine.resume(co, 10)
    return x, y, z, coroutine.isyieldable(co)`).values, ['2', 'true', '20', 'true']);
  // As lua5.4 words it.
  assert.deepEqual(run('return pcall(coroutine.isyieldable, 42)').values, ['false', "bad argument #1 to 'coroutine.isyieldable' (thread expected, got number)"]);
});

/** A chunk that keeps the interpreter busy for half a second of CPU time. */
const BUSY = 'local t0, n = os.clock(), 0\nwhile os.clock() - t0 < 0.5 do for i = 1, 1000 do n = n + i end end\nreturn n > 0';

for (const debuggerOn of [false, true]) {
  test(`a runtime ${debuggerOn ? 'with' : 'without'} the debugger re-enters the interpreter while a long chunk runs`, async (t) => {
    const rt = new ScriptRuntime({ debugger: debuggerOn });
    t.after(() => rt.stop());
    await rt.start();
    if (debuggerOn) await rt.debugRequest('enable', { stopOnEntry: false });
    const outcome = await rt.runChunk(BUSY, '=busy', true);
    assert.deepEqual(outcome, { status: 'ok', values: ['true'] });
    assert.ok(rt.reentries >= 1, `re-entries: ${rt.reentries}`);
  });
}

test('dofile runs its file with a continuation, as lua5.4 does: the file may yield, and is re-entered', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmspell-dofile-'));
  const rt = new ScriptRuntime({ debugger: false, cwd: dir });
  t.after(async () => { await rt.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  fs.writeFileSync(path.join(dir, 'yields.lua'), 'local got = coroutine.yield(7)\nreturn got * 2\n');
  fs.writeFileSync(path.join(dir, 'busy.lua'), `${BUSY}\n`);
  await rt.start();
  const co = await rt.runChunk('local co = coroutine.wrap(function() return dofile("yields.lua") end)\nreturn co(), co(21)', '=cell', true);
  assert.deepEqual(co, { status: 'ok', values: ['7', '42'] });
  const busy = await rt.runChunk('return dofile("busy.lua")', '=cell', true);
  assert.deepEqual(busy, { status: 'ok', values: ['true'] });
  assert.ok(rt.reentries >= 1, `re-entries inside dofile: ${rt.reentries}`);
});
