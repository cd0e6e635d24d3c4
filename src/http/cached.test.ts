import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedFor } from './cached.js';

test('computed once per ttl, shared by concurrent callers; failures are not kept', async () => {
  let t = 0;
  let runs = 0;
  let fail = false;
  const get = cachedFor(1000, async () => {
    runs++;
    if (fail) throw new Error('boom');
    return runs;
  }, () => t);
  assert.deepEqual(await Promise.all([get(), get(), get()]), [1, 1, 1]);
  t = 999;
  assert.equal(await get(), 1);
  t = 1000;
  fail = true;
  await assert.rejects(get());
  fail = false;
  assert.equal(await get(), 3, 'the failure was not cached');
  assert.equal(runs, 3);
});
