// Frame ids and variable references of several threads: the main thread's pass through, other
// threads' are given ids of their own that lead back to them, until their thread resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_SCOPED_ID, ThreadScopedIds } from '../../src/debug/index.js';

test('the main thread keeps its worker ids; other threads get ids of their own, and 0 stays 0', () => {
  const ids = new ThreadScopedIds('frame');
  assert.equal(ids.toGlobal(1, 1), 1);
  assert.equal(ids.toGlobal(1, 7), 7);
  assert.deepEqual(ids.toLocal(7), { threadId: 1, local: 7 });
  assert.equal(ids.toGlobal(2, 0), 0, 'no reference stays no reference');
  const a = ids.toGlobal(2, 1);
  const b = ids.toGlobal(3, 1);
  assert.ok(a >= FIRST_SCOPED_ID && b >= FIRST_SCOPED_ID);
  assert.notEqual(a, b, 'the same worker id in two threads is two ids');
  assert.notEqual(a, 1);
  assert.equal(ids.toGlobal(2, 1), a, 'asked again, the same id');
  assert.deepEqual(ids.toLocal(a), { threadId: 2, local: 1 });
  assert.deepEqual(ids.toLocal(b), { threadId: 3, local: 1 });
});

test("a thread that resumes loses its ids; the others keep theirs", () => {
  const ids = new ThreadScopedIds('variable reference');
  const a = ids.toGlobal(2, 5);
  const b = ids.toGlobal(3, 5);
  ids.forget(2);
  assert.throws(() => ids.toLocal(a), /variable reference \d+ is not valid \(it lasts only until its thread resumes\)/);
  assert.deepEqual(ids.toLocal(b), { threadId: 3, local: 5 });
  const again = ids.toGlobal(2, 5);
  assert.notEqual(again, a, 'a new stop gets new ids: an old one never names a new object');
  assert.equal(ids.size, 2);
  assert.throws(() => ids.toLocal(FIRST_SCOPED_ID + 12345), /not valid/);
});

test('a main-thread id in the range of other threads is refused, not confused with theirs', () => {
  const ids = new ThreadScopedIds('frame');
  assert.throws(() => ids.toGlobal(1, FIRST_SCOPED_ID), /beyond the ids/);
});
