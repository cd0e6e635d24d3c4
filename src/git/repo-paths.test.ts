import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { nip19 } from 'nostr-tools';
import { decodeIdentifier, encodeIdentifier, migrateRepoDirNames, parseGitPath, repoDir, repoDirName } from './repo-paths.js';

const PK = 'ab'.repeat(32);
const NPUB = nip19.npubEncode(PK);

test('identifier encoding is reversible and keeps only [a-z0-9._-]', () => {
  for (const d of ['simple', 'my repo', 'a/b', '..', '.hidden', 'ünï', '%41', 'x\0y', 'a\\b']) {
    const enc = encodeIdentifier(d);
    assert.match(enc, /^[A-Za-z0-9_%-][A-Za-z0-9._%-]*$/);
    assert.equal(decodeIdentifier(enc), d);
  }
  assert.equal(encodeIdentifier('.x'), '%2Ex');
  assert.equal(encodeIdentifier('a.b'), 'a.b');
});

test('repo dir never escapes <dataDir>/repos', () => {
  for (const d of ['..', '../../etc', '/abs', 'a/../../b', '.', '\\..\\x', 'x'.repeat(1000)]) {
    const dir = repoDir('/data', PK, d);
    const rel = relative('/data/repos', dir);
    assert.ok(!rel.startsWith('..'), d);
    assert.equal(rel.split(sep).length, 2, d);
    assert.ok(Buffer.byteLength(rel.split(sep)[1] ?? '') <= 255);
  }
});

test('empty identifier and bad pubkey are refused', () => {
  assert.throws(() => repoDirName(''));
  assert.throws(() => repoDir('/data', 'xyz', 'a'));
});

test('3.7 parseGitPath routes the smart-HTTP endpoints and the page', () => {
  assert.deepEqual(parseGitPath(`/${NPUB}/my%20repo.git/info/refs?service=git-upload-pack`), {
    npub: NPUB, pubkey: PK, d: 'my repo', service: 'info-refs',
  });
  assert.equal((parseGitPath(`/${NPUB}/r.git/git-upload-pack`) as { service: string }).service, 'upload-pack');
  assert.equal((parseGitPath(`/${NPUB}/r.git/git-receive-pack`) as { service: string }).service, 'receive-pack');
  assert.equal((parseGitPath(`/${NPUB}/r.git`) as { service: string }).service, 'page');
  assert.equal((parseGitPath(`/${NPUB}/r.git.git`) as { d: string }).d, 'r.git');
});

test('hostile segments are 400 and non-git paths are marked as such', () => {
  for (const p of [
    `/${NPUB}/..%2F..%2Fx.git/info/refs`,
    `/${NPUB}/%2E%2E.git/info/refs`,
    `/${NPUB}/a%2Fb.git`,
    `/${NPUB}/a%5Cb.git`,
    `/${NPUB}/a%00b.git`,
    `/${NPUB}/${'x'.repeat(300)}.git`,
    `/${NPUB}/%E0%A4%A.git`,
    `/../${NPUB}/r.git`,
    `/${NPUB}/..`,
  ]) {
    const r = parseGitPath(p);
    assert.ok('error' in r && r.error === 400, p);
  }
  assert.deepEqual(parseGitPath('/npub1test/test.git/info/refs'), { error: 404, reason: 'invalid npub', gitPath: true });
  assert.equal((parseGitPath('/metrics') as { gitPath: boolean }).gitPath, false);
  assert.equal((parseGitPath(`/${NPUB}/r.git/objects/info/packs`) as { error: number }).error, 404);
});

test('identifiers that differ only in case get directories that differ case-insensitively too', () => {
  const names = ['Repo', 'repo', 'REPO', 'rEpO'].map(repoDirName);
  assert.equal(new Set(names.map((n) => n.toLowerCase())).size, 4, names.join(' '));
  assert.equal(decodeIdentifier(repoDirName('MyRepo').slice(0, -4)), 'MyRepo');
});

test('existing directories named by the old encoding (upper case kept) are renamed at start', () => {
  const root = mkdtempSync(join(tmpdir(), 'graspd-paths-'));
  const owner = join(root, 'npub1owner');
  mkdirSync(join(owner, 'MyRepo.git'), { recursive: true });
  writeFileSync(join(owner, 'MyRepo.git', 'HEAD'), 'ref: refs/heads/main\n');
  mkdirSync(join(owner, 'lower.git'));
  assert.equal(migrateRepoDirNames(root), 1);
  assert.ok(existsSync(join(owner, repoDirName('MyRepo'), 'HEAD')));
  assert.ok(existsSync(join(owner, 'lower.git')));
  assert.equal(migrateRepoDirNames(root), 0, 'idempotent');
  rmSync(root, { recursive: true, force: true });
});
