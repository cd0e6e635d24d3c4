import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uploadPackOperation } from './metrics.js';

const oid = 'a'.repeat(40);

test('upload-pack requests: no have lines is a clone, have lines a fetch, v2 ls-refs a listing', () => {
  assert.equal(uploadPackOperation(`0032want ${oid}\n00000009done\n`), 'clone');
  assert.equal(uploadPackOperation(`0032want ${oid}\n00000032have ${oid}\n0009done\n`), 'fetch');
  assert.equal(uploadPackOperation('0014command=ls-refs\n0014agent=git/2.39\n0001'), 'ls-refs');
  assert.equal(uploadPackOperation(`0011command=fetch0001000dthin-pack0032want ${oid}\n0032have ${oid}\n0009done\n0000`), 'fetch');
});
