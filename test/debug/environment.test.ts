import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, debugFixture } from './harness.js';

test('a launch env reaches os.getenv and the commands the script runs (os.execute, io.popen)', async (t) => {
  const h = new Harness();
  t.after(() => h.close());
  await h.em.launch({ program: debugFixture('child-env.lua'), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LLMSPELL_CHILD_ENV: 'from-launch' } });
  assert.equal(await h.exited(), 0);
  assert.equal(h.output, 'getenv from-launch\nexecute from-launch\npopen from-launch\n');
});
