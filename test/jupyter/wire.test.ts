// The Jupyter wire format: framing, HMAC-SHA256 signatures (checked against jupyter_client's
// own value for the same frames), and every way a message can be rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode, makeHeader, PROTOCOL_VERSION, Signer, type Decoded } from '../../src/jupyter/wire.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const DELIM = b('<IDS|MSG>');

function message(d: Decoded): Extract<Decoded, { ok: true }>['message'] {
  assert.ok(d.ok, d.ok ? '' : d.error);
  return d.message;
}

test('the signature is HMAC-SHA256 over header, parent, metadata and content (jupyter_client agrees)', () => {
  // Session(key=b'secret').sign([b'{"msg_type":"kernel_info_request"}', b'{}', b'{}', b'{}'])
  const frames = [b('{"msg_type":"kernel_info_request"}'), b('{}'), b('{}'), b('{}')];
  assert.equal(new Signer('secret').sign(frames), 'da987989801f25e9398e6a2aee42649d93bf7451e56a863c9f755263d32e6ef1');
  assert.equal(new Signer('').sign(frames), '', 'no key, no signature');
});

test('encode then decode gives the message back, identities and buffers included', () => {
  const signer = new Signer('k3y');
  const header = makeHeader('execute_request', 'session-1');
  const frames = encode([b('id-1'), b('id-2')], header, { msg_id: 'parent' }, { m: 1 }, { code: 'print("é")' }, signer);
  assert.deepEqual(frames.slice(0, 3), [b('id-1'), b('id-2'), DELIM]);
  const m = message(decode([...frames, b('buffer-0')], signer));
  assert.deepEqual(m.identities, [b('id-1'), b('id-2')]);
  assert.deepEqual(m.header, header);
  assert.equal(m.header.version, PROTOCOL_VERSION);
  assert.deepEqual(m.parent_header, { msg_id: 'parent' });
  assert.deepEqual(m.metadata, { m: 1 });
  assert.deepEqual(m.content, { code: 'print("é")' });
  assert.deepEqual(m.buffers, [b('buffer-0')]);
});

test('a message signed with another key, or changed after signing, is rejected', () => {
  const header = makeHeader('kernel_info_request', 's');
  const frames = encode([b('peer')], header, {}, {}, {}, new Signer('other-key'));
  assert.deepEqual(decode(frames, new Signer('k3y')), { ok: false, error: 'bad signature' });

  const good = encode([b('peer')], header, {}, {}, { code: '1' }, new Signer('k3y'));
  const tampered = [...good];
  tampered[tampered.length - 1] = b('{"code":"os.exit()"}');
  assert.deepEqual(decode(tampered, new Signer('k3y')), { ok: false, error: 'bad signature' });

  const unsigned = [...good];
  unsigned[2] = b('');
  assert.deepEqual(decode(unsigned, new Signer('k3y')), { ok: false, error: 'bad signature' });

  const shorter = [...good];
  shorter[2] = b('abc');
  assert.deepEqual(decode(shorter, new Signer('k3y')), { ok: false, error: 'bad signature' }, 'a signature of another length is refused, not thrown on');
});

test('without a key nothing is signed and any signature is accepted', () => {
  const frames = encode([], makeHeader('kernel_info_request', 's'), {}, {}, {}, new Signer(''));
  assert.equal(frames[1].length, 0);
  const m = message(decode([DELIM, b('whatever'), ...frames.slice(2)], new Signer('')));
  assert.equal(m.header.msg_type, 'kernel_info_request');
});

test('malformed messages are rejected with a reason, never thrown', () => {
  const signer = new Signer('k');
  assert.deepEqual(decode([b('a'), b('b')], signer), { ok: false, error: 'no <IDS|MSG> delimiter' });
  assert.match((decode([DELIM, b('sig'), b('{}')], signer) as { error: string }).error, /too few frames/);
  const parts = [b('{not json'), b('{}'), b('{}'), b('{}')];
  assert.match((decode([DELIM, b(signer.sign(parts)), ...parts], signer) as { error: string }).error, /invalid JSON/);
  const noType = [b('{"msg_id":"x"}'), b('{}'), b('{}'), b('{}')];
  assert.deepEqual(decode([DELIM, b(signer.sign(noType)), ...noType], signer), { ok: false, error: 'header has no msg_type' });
});

test('headers are unique and dated', () => {
  const a = makeHeader('status', 's');
  const c = makeHeader('status', 's');
  assert.notEqual(a.msg_id, c.msg_id);
  assert.ok(!Number.isNaN(Date.parse(a.date)));
  assert.equal(a.session, 's');
});
