// Cell file names as JupyterLab computes them: Murmur2 of the UTF-8 code with the advertised seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CellFiles, HASH_SEED, murmur2 } from '../../src/kernel/cell-files.js';

test('murmur2 matches the known vectors (seed 0xc70f6907)', () => {
  assert.equal(HASH_SEED, 0xc70f6907);
  assert.equal(murmur2('', HASH_SEED), 3990065800);
  assert.equal(murmur2('a', HASH_SEED), 2167009006);
  assert.equal(murmur2('abcd', HASH_SEED), 804720481);
  assert.equal(murmur2('héllo wörld ✓', HASH_SEED), 146620064, 'hashes UTF-8 bytes, not UTF-16 units');
});

test('murmur2 covers every tail length and stays an unsigned 32-bit integer', () => {
  const seen = new Set<number>();
  for (const s of ['ab', 'abc', 'abcde', 'abcdef', 'abcdefg', 'local x = 1\nprint(x)\n']) {
    const h = murmur2(s, HASH_SEED);
    assert.ok(Number.isInteger(h) && h >= 0 && h <= 0xffffffff, `${s}: ${h}`);
    seen.add(h);
  }
  assert.equal(seen.size, 6);
  assert.notEqual(murmur2('a', 0), murmur2('a', HASH_SEED), 'the seed matters');
});

test('CellFiles writes each cell under prefix + hash + suffix, and cleans up', (t) => {
  const cells = new CellFiles(`unit-${process.pid}`);
  t.after(() => cells.cleanup());
  const folder = path.dirname(cells.pathFor('x'));
  assert.ok(cells.prefix.endsWith(path.sep));
  assert.equal(cells.suffix, '.lua');
  assert.equal(fs.statSync(folder).mode & 0o777, 0o700, 'only the owner reads the cells');
  const code = 'local a = 1\nprint(a)';
  const file = cells.dump(code);
  assert.equal(file, `${cells.prefix}${murmur2(code, HASH_SEED)}.lua`);
  assert.equal(fs.readFileSync(file, 'utf8'), code);
  fs.writeFileSync(file, 'changed on disk');
  assert.equal(cells.dump(code), file);
  assert.equal(fs.readFileSync(file, 'utf8'), code, 'a changed file is written again');
  cells.cleanup();
  assert.equal(fs.existsSync(folder), false);
});
