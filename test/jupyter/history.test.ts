// history_request's three access types, as jupyter_kernel_test and IPython expect them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, History, SESSION } from '../../src/kernel/history.js';

function sample(): History {
  const h = new History();
  ['x = 1', '6 * 7', 'print(x)', '6 * 7', 'y = 2'].forEach((code, i) => h.add(i + 1, code));
  h.setOutput(2, '42');
  return h;
}

test('tail gives the last n entries, with outputs when asked', () => {
  const h = sample();
  assert.deepEqual(h.query({ hist_access_type: 'tail', n: 2 }), [[SESSION, 4, '6 * 7'], [SESSION, 5, 'y = 2']]);
  assert.deepEqual(h.query({ hist_access_type: 'tail', n: 4, output: true })[0], [SESSION, 2, ['6 * 7', '42']]);
  assert.deepEqual(h.query({ hist_access_type: 'tail', n: 1, output: true })[0], [SESSION, 5, ['y = 2', null]]);
});

test('range is [start, stop)', () => {
  assert.deepEqual(sample().query({ hist_access_type: 'range', session: SESSION, start: 2, stop: 4 }).map((e) => e[1]), [2, 3]);
  assert.equal(sample().query({ hist_access_type: 'range', start: 0 }).length, 5);
});

test('search matches a glob; unique keeps the latest of each input; n keeps the last n', () => {
  const h = sample();
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '6*7' }).map((e) => e[1]), [2, 4]);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '6*7', unique: true }).map((e) => e[1]), [4]);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '*', n: 2 }).map((e) => e[1]), [4, 5]);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: 'print(?)' }).map((e) => e[2]), ['print(x)']);
});

test('glob patterns escape regular-expression characters and match across lines', () => {
  assert.ok(globToRegExp('a.b*').test('a.b\nc'));
  assert.ok(!globToRegExp('a.b').test('axb'));
  assert.ok(globToRegExp('f(?)').test('f(1)'));
});
