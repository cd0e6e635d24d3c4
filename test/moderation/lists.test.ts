// Curation and moderation lists through a real server: options, the lists file re-read on change and on SIGHUP,
// blacklisting an existing repository (events and git hidden, nothing lost), the author blacklist for every
// source, the whitelist, NIP-11 `curation`, bad entries exit 2, refusals on /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serverWithClient } from '../helpers/server.js';
import { announcement, issue, newKey, sign, state } from '../helpers/events.js';
import { startGraspd, waitUntil } from '../helpers/process.js';
import { TestClient } from '../helpers/client.js';
import { commit, git, workRepo } from '../../src/git/test-kit.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

function listsFile(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'graspd-lists-')), 'lists.txt');
  writeFileSync(f, text);
  return f;
}

test('bad list entries and a bad lists file exit 2 with a clear message', () => {
  const run = (args: string[]): { status: number | null; stderr: string } => {
    const r = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'graspd-')), ...args], { encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stderr: r.stderr };
  };
  for (const args of [['--author-blacklist', 'not-an-npub'], ['--repo-blacklist', 'npub1broken/x'], ['--lists-file', listsFile('repo-greylist x\n')], ['--lists-file', '/nonexistent/lists.txt']]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^graspd: /);
  }
});

test('blacklisting a served repository hides it and its events and its git data; un-listing brings all back', async (t) => {
  const file = listsFile('# empty at first\n');
  const { srv, c } = await serverWithClient(t, ['--lists-file', file]);
  const k = newKey();
  const d = 'moderated';
  await c.publish(announcement(k, d, [srv.config.domain]));
  const work = await workRepo();
  const tip = await commit(work, 'one');
  await c.publish(state(k, d, { 'refs/heads/main': tip }));
  const url = `${srv.url}/${k.npub}/${d}.git`;
  assert.equal((await git(['-C', work, 'push', url, 'main'])).code, 0);
  const iss = issue(newKey(), k, d);
  assert.equal((await c.publish(iss)).ok, true);
  const visible = async (): Promise<number> => (await c.query([{ '#a': [`30617:${k.pk}:${d}`] }, { kinds: [30617, 30618], authors: [k.pk] }])).length;
  assert.equal(await visible(), 3);

  writeFileSync(file, `repo-blacklist ${k.npub}/${d}\n`);
  await waitUntil(async () => (await visible()) === 0, 'repository hidden after the file changed', 10_000);
  assert.equal((await fetch(`${url}/info/refs?service=git-upload-pack`)).status, 404);
  const refused = await c.publish(issue(newKey(), k, d, 'another'));
  assert.equal(refused.ok, false);
  assert.match(refused.message, /^blocked: .*blacklisted/);
  assert.match(await (await fetch(`${srv.url}/metrics`)).text(), /graspd_moderation_refusals_total\{list="repo-blacklist"\} [1-9]/);

  writeFileSync(file, '# lifted\n');
  await waitUntil(async () => (await visible()) === 3, 'repository served again after un-listing', 10_000);
  assert.equal((await fetch(`${url}/info/refs?service=git-upload-pack`)).status, 200);
});

test('author blacklist: no event of that author is stored or held, whatever its kind or source', async (t) => {
  const bad = newKey();
  const { srv, c } = await serverWithClient(t, ['--author-blacklist', bad.npub]);
  for (const e of [announcement(bad, 'x', [srv.config.domain]), sign(bad, 1, [], 'hello'), sign(bad, 5, [['e', 'a'.repeat(64)]]), sign(bad, 20001, [], 'ephemeral')]) {
    const r = await c.publish(e);
    assert.equal(r.ok, false);
    assert.match(r.message, /^blocked: events of this author/);
  }
  const viaSync = await srv.ingest.ingest(announcement(bad, 'y', [srv.config.domain]), { source: 'sync', relay: 'ws://elsewhere.example' });
  assert.equal(viaSync.ok, false);
  assert.equal((await c.query([{ authors: [bad.pk] }])).length, 0);
});

test('whitelist: only matching announcements are accepted; NIP-11 describes the curation', async (t) => {
  const good = newKey();
  const { srv, c } = await serverWithClient(t, ['--repo-whitelist', good.npub]);
  assert.equal((await c.publish(announcement(good, 'ok', [srv.config.domain]))).ok, true);
  const other = await c.publish(announcement(newKey(), 'ok', [srv.config.domain]));
  assert.equal(other.ok, false);
  assert.match(other.message, /^blocked: .*whitelist/);
  const nip11 = (await (await fetch(srv.url, { headers: { Accept: 'application/nostr+json' } })).json()) as { curation?: string };
  assert.match(nip11.curation ?? '', /whitelist/);
  const { srv: plain } = await serverWithClient(t);
  const doc = (await (await fetch(plain.url, { headers: { Accept: 'application/nostr+json' } })).json()) as Record<string, unknown>;
  assert.equal('curation' in doc, false, 'no curation field when not curating');
});

test('SIGHUP re-reads the lists file (and does not stop the server)', async (t) => {
  const bad = newKey();
  const file = listsFile('');
  const g = await startGraspd({ args: ['--lists-file', file] });
  t.after(() => g.dispose());
  const c = await TestClient.connect(g.relayUrl);
  t.after(() => c.close());
  assert.equal((await c.publish(announcement(bad, 'before', [g.domain]))).ok, true);
  // an invalid file is not applied: the old (empty) lists stay and the server keeps running
  writeFileSync(file, 'author-blacklist nonsense\n');
  g.proc.kill('SIGHUP');
  await waitUntil(() => g.output.join('').includes('lists file not reloaded'), 'reload error logged', 10_000);
  writeFileSync(file, `author-blacklist ${bad.npub}\n`);
  g.proc.kill('SIGHUP');
  await waitUntil(async () => !(await c.publish(announcement(bad, `after-${Date.now()}`, [g.domain]))).ok, 'author blocked after SIGHUP', 10_000, 300);
  assert.equal(g.proc.exitCode, null);
});
