// Request lifecycle: timeouts and client aborts always reap the git child (grasp-requirements.md 3.11).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { execFileSync } from 'node:child_process';
import { newKey, startGitKit } from './test-kit.js';

const gitChildren = (): string[] =>
  execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n').filter((l) => l.includes('upload-pack'));

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** a POST whose body never ends; resolves once the server has a git child for it */
async function hangingPost(url: string): Promise<{ closed: Promise<void>; abort(): void }> {
  const req = request(`${url}/git-upload-pack`, { method: 'POST', headers: { 'Content-Type': 'application/x-git-upload-pack-request' } });
  const closed = new Promise<void>((resolve) => { req.on('close', () => resolve()); req.on('error', () => resolve()); });
  req.write('0032want ');
  await waitFor(() => gitChildren().length > 0);
  return { closed, abort: () => req.destroy() };
}

test('a request running past the git timeout is cut off and its child reaped', async () => {
  await using kit = await startGitKit({ timeoutMs: 300 });
  const url = await kit.announce(newKey(), 'slow');
  const t0 = Date.now();
  const h = await hangingPost(url);
  await h.closed;
  assert.ok(Date.now() - t0 < 3000);
  await waitFor(() => gitChildren().length === 0);
});

test('a client abort kills the git child', async () => {
  await using kit = await startGitKit();
  const url = await kit.announce(newKey(), 'abort');
  const h = await hangingPost(url);
  h.abort();
  await waitFor(() => gitChildren().length === 0);
  const r = await fetch(`${url}/info/refs?service=git-upload-pack`);
  assert.equal(r.status, 200);
});
