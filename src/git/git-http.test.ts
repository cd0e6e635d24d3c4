// Smart-HTTP serving with the real git CLI (grasp-requirements.md 3.7, 3.11, 3.12, 3.13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { commit, git, mustGit, newKey, signState, startGitKit, workRepo, type GitKit, type Key } from './test-kit.js';

/** a repo with main = c1 <- c2 pushed under a matching state */
async function seeded(kit: GitKit, d: string): Promise<{ o: Key; url: string; c1: string; c2: string; work: string }> {
  const o = newKey();
  const url = await kit.announce(o, d);
  const work = await workRepo();
  const c1 = await commit(work, 'first');
  await commit(work, 'big'.repeat(1000), 'big.txt');
  const c2 = await commit(work, 'second');
  kit.states.push(signState(o, d, { 'refs/heads/main': c2 }));
  await mustGit(['-C', work, 'push', url, 'HEAD:refs/heads/main']);
  return { o, url, c1, c2, work };
}

test('3.7 info/refs answers v0 advertisements with the service line and 3.11 capabilities', async () => {
  await using kit = await startGitKit();
  const { url } = await seeded(kit, 'adv');
  const r = await fetch(`${url}/info/refs?service=git-upload-pack`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/x-git-upload-pack-advertisement');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.match(r.headers.get('cache-control') ?? '', /no-cache/);
  const body = await r.text();
  assert.ok(body.startsWith('001e# service=git-upload-pack\n0000'));
  for (const cap of ['allow-tip-sha1-in-want', 'allow-reachable-sha1-in-want', 'filter']) assert.ok(body.includes(cap), cap);
  const rp = await fetch(`${url}/info/refs?service=git-receive-pack`);
  assert.equal(rp.status, 200);
  assert.equal(rp.headers.get('content-type'), 'application/x-git-receive-pack-advertisement');
  assert.ok((await rp.text()).startsWith('001f# service=git-receive-pack\n0000'));
  const v2 = await fetch(`${url}/info/refs?service=git-upload-pack`, { headers: { 'Git-Protocol': 'version=2' } });
  assert.ok((await v2.text()).startsWith('000eversion 2\n'));
});

test('3.7 an announced empty repo clones; unknown repos and paths are 404', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'my repo');
  const dir = join(await workRepo(), 'clone');
  await mustGit(['clone', '-q', url, dir]);
  assert.ok(existsSync(join(dir, '.git')));
  assert.equal((await fetch(`${kit.base}/${o.npub}/nonexistent-repo-12345.git/info/refs?service=git-upload-pack`)).status, 404);
  assert.equal((await fetch(`${kit.base}/npub1test/nonexistent.git/info/refs?service=git-upload-pack`)).status, 404);
  assert.notEqual((await git(['clone', '-q', `${kit.base}/invalid/path`, join(dir, 'x')])).code, 0);
});

test('3.12 repo page is HTML with escaped name, clone URL and a gitworkshop link; unknown repo 404 page', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const url = await kit.announce(o, 'page');
  const r = await fetch(url, { headers: { accept: 'text/html' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
  const html = await r.text();
  assert.ok(html.includes('Test &lt;repo&gt;') && html.includes('a &quot;test&quot; &amp; more'));
  assert.ok(html.includes(`https://gitworkshop.dev/${o.npub}/page`));
  assert.ok(html.includes(url));
  const nf = await fetch(`${kit.base}/${o.npub}/none.git`);
  assert.equal(nf.status, 404);
  assert.match(nf.headers.get('content-type') ?? '', /^text\/html/);
});

test('3.11 clone and fetch over protocol v0 and v2, partial and shallow clones, reachable non-tip sha', async () => {
  await using kit = await startGitKit();
  const { url, c1, c2 } = await seeded(kit, 'serve');
  const tmp = await workRepo();
  for (const v of ['0', '2']) {
    const dir = join(tmp, `v${v}`);
    await mustGit(['-c', `protocol.version=${v}`, 'clone', '-q', url, dir]);
    assert.equal(await mustGit(['-C', dir, 'rev-parse', 'HEAD']), c2);
    const probe = join(tmp, `probe${v}`);
    await mustGit(['init', '-q', probe]);
    await mustGit(['-C', probe, '-c', `protocol.version=${v}`, 'fetch', '-q', url, c1]);
    await mustGit(['-C', probe, 'cat-file', '-e', c1]);
  }
  const partial = join(tmp, 'partial');
  await mustGit(['clone', '-q', '--filter=blob:none', url, partial]);
  assert.equal(await mustGit(['-C', partial, 'config', 'remote.origin.promisor']), 'true');
  const shallow = join(tmp, 'shallow');
  await mustGit(['clone', '-q', '--depth', '1', url, shallow]);
  assert.equal(await mustGit(['-C', shallow, 'rev-list', '--count', 'HEAD']), '1');
  await mustGit(['-C', shallow, 'fetch', '-q', '--filter=tree:0', 'origin']);
  const ls = await mustGit(['-c', 'protocol.version=0', 'ls-remote', url]);
  assert.match(ls, new RegExp(`^${c2}\tHEAD\n${c2}\trefs/heads/main$`));
});

test('3.11 a gzip request body is inflated (v2 ls-refs)', async () => {
  await using kit = await startGitKit();
  const { url, c2 } = await seeded(kit, 'gzip');
  const body = gzipSync(Buffer.from('0014command=ls-refs\n0000'));
  const r = await fetch(`${url}/git-upload-pack`, {
    method: 'POST', body,
    headers: { 'Content-Type': 'application/x-git-upload-pack-request', 'Content-Encoding': 'gzip', 'Git-Protocol': 'version=2' },
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/x-git-upload-pack-result');
  assert.match(await r.text(), new RegExp(`${c2} refs/heads/main`));
});

test('request bodies over the cap are refused and a too-large push changes nothing', async () => {
  await using kit = await startGitKit({ maxBodyBytes: 4096 });
  const o = newKey();
  const url = await kit.announce(o, 'cap');
  const r = await fetch(`${url}/git-upload-pack`, { method: 'POST', body: Buffer.alloc(10_000) });
  assert.equal(r.status, 413);
  const w = await workRepo();
  const c = await commit(w, Array.from({ length: 4000 }, (_, i) => `${i * 7919}`).join('\n'));
  kit.states.push(signState(o, 'cap', { 'refs/heads/main': c }));
  const p = await git(['-C', w, 'push', url, 'HEAD:refs/heads/main']);
  assert.notEqual(p.code, 0);
  assert.equal(await mustGit(['ls-remote', url]), '');
});

test('hostile paths get 4xx and create nothing on disk', async () => {
  await using kit = await startGitKit();
  const o = newKey();
  const paths = [
    `/${o.npub}/..%2F..%2Fevil.git/info/refs?service=git-upload-pack`,
    `/${o.npub}/%2E%2E.git/info/refs?service=git-upload-pack`,
    `/${o.npub}/a%2Fb.git/git-receive-pack`,
    `/${o.npub}/a%00b.git/info/refs?service=git-upload-pack`,
    `/${o.npub}/a%5Cb.git`,
    `/${o.npub}/${'x'.repeat(400)}.git/info/refs?service=git-upload-pack`,
    `/${o.npub}/new.git/info/refs?service=git-upload-pack`,
    `/${o.npub}/new.git/git-receive-pack`,
  ];
  for (const p of paths) {
    const r = await fetch(kit.base + p, { method: p.endsWith('pack') ? 'POST' : 'GET', body: p.endsWith('pack') ? '0000' : undefined });
    assert.ok(r.status >= 400 && r.status < 500, `${p} → ${r.status}`);
  }
  assert.deepEqual(readdirSync(kit.dataDir), []);
});

test('3.9 a pushed state aligns every repo it governs, copying objects', async () => {
  await using kit = await startGitKit();
  const a = newKey();
  const b = newKey();
  const urlA = await kit.announce(a, 'shared', [b.pk]);
  const urlB = await kit.announce(b, 'shared');
  const w = await workRepo();
  const n = await commit(w, 'new from b');
  kit.states.push(signState(b, 'shared', { 'refs/heads/main': n }, { head: 'refs/heads/main' }));
  await mustGit(['-C', w, 'push', urlB, 'HEAD:refs/heads/main']);
  assert.equal(await mustGit(['ls-remote', urlA, 'refs/heads/main']), `${n}\trefs/heads/main`);
  const clone = join(w, 'cloneA');
  await mustGit(['clone', '-q', urlA, clone]);
  assert.equal(await mustGit(['-C', clone, 'rev-parse', 'HEAD']), n);
});

test('3.5 applyState applies a state whose commits are present, in every governed repo; missing commits → false', async () => {
  await using kit = await startGitKit();
  const a = newKey();
  const b = newKey();
  const urlA = await kit.announce(a, 'apply', [b.pk]);
  await kit.announce(b, 'apply', [a.pk]);
  const w = await workRepo();
  const c1 = await commit(w, 'one');
  await mustGit(['-C', w, 'checkout', '-q', '-b', 'develop']);
  const c2 = await commit(w, 'two');
  kit.states.push(signState(a, 'apply', { 'refs/heads/main': c1, 'refs/heads/develop': c2 }, { createdAt: 10 }));
  await mustGit(['-C', w, 'push', urlA, 'main:refs/heads/main', 'develop:refs/heads/develop']);
  const later = signState(b, 'apply', { 'refs/heads/develop': c2 }, { createdAt: 20, head: 'refs/heads/develop' });
  assert.equal(await kit.svc.applyState(later), true);
  for (const owner of [a, b]) {
    const refs = await kit.svc.listRefs(owner.pk, 'apply');
    assert.deepEqual([...refs], [['refs/heads/develop', c2]]);
    assert.match(await mustGit(['ls-remote', '--symref', kit.url(owner, 'apply'), 'HEAD']), /^ref: refs\/heads\/develop\tHEAD/);
  }
  const missing = signState(a, 'apply', { 'refs/heads/main': 'd'.repeat(40) }, { createdAt: 30 });
  assert.equal(await kit.svc.applyState(missing), false);
  assert.equal((await kit.svc.listRefs(a.pk, 'apply')).get('refs/heads/develop'), c2);
});
