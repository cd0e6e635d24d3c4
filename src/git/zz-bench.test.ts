import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commit, mustGit, newKey, signState, startGitKit, workRepo } from './test-kit.js';
test('bench', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'big');
  const w = await workRepo();
  writeFileSync(join(w, 'blob.bin'), randomBytes(8 * 1024 * 1024));
  await mustGit(['-C', w, 'add', 'blob.bin']);
  let c = '';
  for (let i = 0; i < 120; i++) c = await commit(w, `line ${i}\n`.repeat(i + 1));
  kit.states.push(signState(o, 'big', { 'refs/heads/main': c }));
  let t = Date.now();
  await mustGit(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  console.log('push ms', Date.now() - t);
  for (const v of ['0', '2']) {
    t = Date.now();
    await mustGit(['-c', `protocol.version=${v}`, 'clone', '-q', '--bare', url, join(w, 'c' + v)]);
    console.log(`clone v${v} ms`, Date.now() - t);
  }
  t = Date.now();
  for (let i = 0; i < 20; i++) await mustGit(['ls-remote', url]);
  console.log('ls-remote ms avg', (Date.now() - t) / 20);
  t = Date.now();
  await Promise.all([1,2,3,4,5,6,7,8].map((i) => mustGit(['clone', '-q', '--bare', url, join(w, 'p' + i)])));
  console.log('8 parallel clones ms', Date.now() - t);
});
