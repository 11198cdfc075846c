// isLogged lets a caller skip loading pino for a line that would not be written
// (`llmspell dap` reaches its first stop without pino): it must follow --trace exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLogged, setTraceLevel, traceLevel, type TraceLevel } from '../../src/log/index.js';

test('isLogged says whether a line at a level is written at the current --trace level', (t) => {
  const before = traceLevel();
  t.after(() => setTraceLevel((before === 'silent' ? 'off' : before) as TraceLevel));
  setTraceLevel('warn');
  assert.deepEqual([isLogged('error'), isLogged('warn'), isLogged('info'), isLogged('debug'), isLogged('trace')], [true, true, false, false, false]);
  setTraceLevel('debug');
  assert.deepEqual([isLogged('error'), isLogged('info'), isLogged('debug'), isLogged('trace')], [true, true, true, false]);
  setTraceLevel('trace');
  assert.equal(isLogged('trace'), true);
  setTraceLevel('off');
  assert.deepEqual([isLogged('error'), isLogged('trace')], [false, false]);
});
