// The packed form variables cross from the worker in: every field survives, whatever the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VariableInfo } from '../../src/runtime/index.js';
import { packVariables, unpackVariables } from '../../src/runtime/variable-list.js';

test('variables survive packing: optional fields stay absent, any text stays as it was', () => {
  const list: VariableInfo[] = [
    { name: 'n', value: '42', type: 'integer', ref: 0, evaluateName: 'n' },
    { name: 't', value: '{1, 2, x=…}', type: 'table', ref: 1_073_676_288, indexed: 2, named: 1, evaluateName: 't' },
    { name: '...', value: '3 varargs', type: 'varargs', ref: 7, indexed: 3 },
    { name: '[1]', value: '""', type: 'string', ref: 0, evaluateName: '' },
    { name: 'é', value: '"naïve \\0 ☃ 𝄞"', type: 'string', ref: 0, evaluateName: 't["é"]' },
    { name: '_ENV', value: 'table: 0x1', type: 'table', ref: 9, named: 0 },
  ];
  const packed = packVariables(list);
  assert.equal(typeof packed.text, 'string');
  assert.ok(packed.numbers instanceof Int32Array);
  const back = unpackVariables(structuredClone(packed));
  assert.deepEqual(back, list);
  for (const [i, v] of back.entries()) assert.deepEqual(Object.keys(v).sort(), Object.keys(list[i]!).sort(), `fields of ${v.name}`);
});

test('an empty list packs to nothing', () => {
  assert.deepEqual(unpackVariables(packVariables([])), []);
});
