import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedMutex } from './repo-lock.js';

test('work on one key runs one at a time in arrival order; other keys are not blocked', async () => {
  const m = new KeyedMutex();
  const log: string[] = [];
  let releaseFirst!: () => void;
  const gate = new Promise<void>((r) => { releaseFirst = r; });
  const first = m.run('a', async () => { log.push('a1 start'); await gate; log.push('a1 end'); });
  const second = m.run('a', async () => { log.push('a2'); });
  await m.run('b', async () => { log.push('b'); });
  assert.deepEqual(log, ['a1 start', 'b']);
  releaseFirst();
  await Promise.all([first, second]);
  assert.deepEqual(log, ['a1 start', 'b', 'a1 end', 'a2']);
});

test('a failing holder releases the key', async () => {
  const m = new KeyedMutex();
  await assert.rejects(m.run('k', async () => { throw new Error('boom'); }));
  assert.equal(await m.run('k', async () => 42), 42);
});
