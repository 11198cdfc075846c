// The `jupyter` table's escape sequences taken out of stdout: in order with the text, whatever
// the write boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisplayChannel, type DisplayEvent } from '../../src/kernel/display-channel.js';

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const seq = (body: string): string => `\u001b_llmspell:${body}\u001b\\`;

function feed(chunks: string[]): DisplayEvent[] {
  const out: DisplayEvent[] = [];
  const ch = new DisplayChannel((e) => {
    const last = out[out.length - 1];
    if (e.kind === 'text' && last?.kind === 'text') last.text += e.text; // text may come in pieces
    else out.push({ ...e });
  });
  for (const c of chunks) ch.write(c);
  ch.flush();
  return out;
}

const display = seq(`display:${hex('text/html')}=${hex('<b>é</b>')};${hex('text/plain')}=${hex('b')}|${hex('isolated')}=${hex('yes')}`);
const expected: DisplayEvent[] = [
  { kind: 'text', text: 'before\n' },
  { kind: 'display', data: { 'text/html': '<b>é</b>', 'text/plain': 'b' }, metadata: { isolated: 'yes' } },
  { kind: 'text', text: 'mid' },
  { kind: 'clear_output', wait: true },
  { kind: 'text', text: 'after' },
];
const whole = `before\n${display}mid${seq('clear_output:1')}after`;

test('sequences become display and clear_output events between the text around them', () => {
  assert.deepEqual(feed([whole]), expected);
});

test('a sequence split across writes at any point is still recognised', () => {
  for (let i = 1; i < whole.length; i++) {
    assert.deepEqual(feed([whole.slice(0, i), whole.slice(i)]), expected, `split at ${i}`);
  }
  assert.deepEqual(feed([...whole]), expected, 'one character a write');
});

test('plain text passes through, an unfinished sequence is flushed as text, unknown kinds stay text', () => {
  assert.deepEqual(feed(['hello ', 'world\n']), [{ kind: 'text', text: 'hello world\n' }]);
  assert.deepEqual(feed(['x\u001b_llm']), [{ kind: 'text', text: 'x\u001b_llm' }]);
  assert.deepEqual(feed([seq('nope:1')]), [{ kind: 'text', text: seq('nope:1') }]);
  assert.deepEqual(feed(['\u001b[31mred\u001b[0m']), [{ kind: 'text', text: '\u001b[31mred\u001b[0m' }], 'other escapes are left alone');
});
