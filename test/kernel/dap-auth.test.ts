// The pieces behind dap_port's authentication and event correlation, in isolation: the token
// check, the global backoff, and which id an event or response carries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { AuthThrottle, MAX_WAITING, tokenMatches } from '../../src/kernel/dap-auth.js';
import { EventCorrelator } from '../../src/kernel/event-correlator.js';

test('tokenMatches: only the exact key, whatever the length or type of what is given', () => {
  const key = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
  assert.equal(tokenMatches(key, key), true);
  for (const wrong of ['', key.slice(0, -1), `${key} `, key.toUpperCase(), 'x'.repeat(10_000), 42, null, undefined, { key }]) {
    assert.equal(tokenMatches(wrong, key), false, JSON.stringify(wrong));
  }
});

test('AuthThrottle: each failure doubles the wait before the next attempt, up to a cap; a quiet minute forgets them', async () => {
  let now = 1_000_000;
  const throttle = new AuthThrottle(() => now);
  const delays = Array.from({ length: 8 }, () => throttle.failed());
  assert.deepEqual(delays, [50, 100, 200, 400, 800, 1600, 2000, 2000]);
  assert.equal(throttle.recentFailures, 8);
  now += 61_000;
  assert.equal(throttle.recentFailures, 0);
  assert.equal(throttle.failed(), 50, 'back to the first step');
});

test('AuthThrottle: attempts wait their turn while backing off, and not at all otherwise', async () => {
  const throttle = new AuthThrottle();
  let t0 = Date.now();
  await throttle.turn();
  assert.ok(Date.now() - t0 < 30, 'no failure: no wait');
  throttle.failed();
  throttle.failed(); // the next attempt waits 100 ms
  t0 = Date.now();
  await Promise.all([throttle.turn(), throttle.turn()]);
  assert.ok(Date.now() - t0 >= 90, `waited ${Date.now() - t0} ms`);
});

test('EventCorrelator: responses carry their request id; events the current cause; a handler context wins', async () => {
  const c = new EventCorrelator('k1');
  const event = (): P.Event => ({ seq: 1, type: 'event', event: 'output', body: { output: 'x' } });
  const stamped = (m: P.Event | P.Response): unknown => (m.body as Record<string, unknown>).__correlation;

  let e = event();
  c.stamp(e, 'dap-1');
  assert.equal(stamped(e), 'kernel:k1', 'nothing asked for it yet');
  assert.equal((e.body as { output: string }).output, 'x', 'the body keeps its fields');

  c.executionMovedBy('msg-123');
  e = event();
  c.stamp(e, 'dap-1');
  assert.equal(stamped(e), 'msg-123');

  const res: P.Response = { seq: 2, type: 'response', request_seq: 7, command: 'next', success: true };
  c.stamp(res, 'dap-2', { seq: 7, type: 'request', command: 'next' });
  assert.equal(stamped(res), 'dap-2:7', 'a response without a body gets one');
  const given: P.Response = { seq: 3, type: 'response', request_seq: 8, command: 'next', success: true };
  c.stamp(given, 'dap-2', { seq: 8, type: 'request', command: 'next', arguments: { threadId: 1, __correlation: 'my-id' } });
  assert.equal(stamped(given), 'my-id', "a client's own id is used");

  await c.run('dap-3:1', async () => {
    await new Promise((r) => setTimeout(r, 1));
    const inside = event();
    c.stamp(inside, 'dap-3');
    assert.equal(stamped(inside), 'dap-3:1', 'an event a handler sends, after an await');
  });
  assert.equal(EventCorrelator.movesExecution('continue'), true);
  assert.equal(EventCorrelator.movesExecution('stackTrace'), false);
});

test('AuthThrottle: at most MAX_WAITING attempts wait; more are refused at once (to retry), not queued behind the backoff', async () => {
  const throttle = new AuthThrottle();
  throttle.failed();
  const waiting = Array.from({ length: MAX_WAITING }, () => throttle.turn());
  assert.equal(await throttle.turn(), false, 'one more is refused at once');
  assert.deepEqual(await Promise.all(waiting), Array(MAX_WAITING).fill(true));
  assert.equal(await throttle.turn(), true, 'room again once they had their turn');
});
