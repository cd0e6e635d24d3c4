import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nip19 } from 'nostr-tools';
import {
  cloneUrlFor,
  coordinateOf,
  isValidIdentifier,
  listsService,
  parseAnnouncement,
  parseCoordinate,
  parsePullRequest,
  parseState,
  relayUrlFor,
  repoCoordinate,
} from './nip34.js';
import type { NostrEvent } from './types.js';

const PK = 'a'.repeat(64);
const NPUB = nip19.npubEncode(PK);

function event(kind: number, tags: string[][], pubkey = PK): NostrEvent {
  return { id: 'f'.repeat(64), pubkey, created_at: 1, kind, tags, content: '', sig: '' };
}

function announcement(d: string, clone: string[], relays: string[]) {
  return parseAnnouncement(event(30617, [['d', d], ['clone', ...clone], ['relays', ...relays]]));
}

describe('parseAnnouncement', () => {
  it('collects every value of every clone, relays, maintainers and web tag', () => {
    const a = parseAnnouncement(
      event(30617, [
        ['d', 'repo'],
        ['name', 'Repo'],
        ['description', 'a repo'],
        ['clone', 'https://a/x.git', 'https://b/x.git'],
        ['clone', 'https://c/x.git'],
        ['relays', 'wss://r1', 'wss://r2'],
        ['maintainers', 'B'.repeat(64)],
        ['maintainers', 'c'.repeat(64), 'd'.repeat(64)],
        ['web', 'https://w'],
      ]),
    );
    assert.equal(a.d, 'repo');
    assert.equal(a.name, 'Repo');
    assert.equal(a.description, 'a repo');
    assert.deepEqual(a.clone, ['https://a/x.git', 'https://b/x.git', 'https://c/x.git']);
    assert.deepEqual(a.relays, ['wss://r1', 'wss://r2']);
    assert.deepEqual(a.maintainers, ['b'.repeat(64), 'c'.repeat(64), 'd'.repeat(64)]);
    assert.deepEqual(a.web, ['https://w']);
  });

  it('gives an empty identifier when the d tag is missing', () => {
    assert.equal(parseAnnouncement(event(30617, [])).d, '');
  });
});

describe('parseState', () => {
  it('maps heads and tags to oids, ignores peeled tags and reads HEAD with or without "ref: "', () => {
    const s = parseState(
      event(30618, [
        ['d', 'repo'],
        ['refs/heads/main', '1'.repeat(40)],
        ['refs/tags/v1', '2'.repeat(40)],
        ['refs/tags/v1^{}', '3'.repeat(40)],
        ['refs/notes/x', '4'.repeat(40)],
        ['HEAD', 'ref: refs/heads/main'],
      ]),
    );
    assert.deepEqual([...s.refs], [['refs/heads/main', '1'.repeat(40)], ['refs/tags/v1', '2'.repeat(40)]]);
    assert.equal(s.head, 'refs/heads/main');
    assert.equal(parseState(event(30618, [['HEAD', 'refs/heads/dev']])).head, 'refs/heads/dev');
  });
});

describe('parsePullRequest', () => {
  it('reads the c tip, clone urls, repo coordinates and the updated PR', () => {
    const pr = parsePullRequest(
      event(1619, [
        ['a', repoCoordinate(PK, 'repo')],
        ['a', '30618:' + PK + ':repo'],
        ['c', '9'.repeat(40)],
        ['clone', 'https://x/y.git'],
        ['E', 'e'.repeat(64)],
      ]),
    );
    assert.equal(pr.commit, '9'.repeat(40));
    assert.deepEqual(pr.clone, ['https://x/y.git']);
    assert.deepEqual(pr.repos, [{ kind: 30617, pubkey: PK, d: 'repo' }]);
    assert.equal(pr.root, 'e'.repeat(64));
  });
});

describe('coordinates', () => {
  it('round-trips a coordinate whose identifier contains colons', () => {
    assert.deepEqual(parseCoordinate(coordinateOf(30617, PK, 'a:b')), { kind: 30617, pubkey: PK, d: 'a:b' });
  });

  it('rejects coordinates without a hex pubkey or numeric kind', () => {
    assert.equal(parseCoordinate('30617:npub1x:repo'), undefined);
    assert.equal(parseCoordinate('x:' + PK + ':repo'), undefined);
    assert.equal(parseCoordinate('e'.repeat(64)), undefined);
  });
});

describe('isValidIdentifier', () => {
  it('refuses names that could escape a directory', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'a\0b']) assert.equal(isValidIdentifier(bad), false, bad);
    for (const good of ['repo', 'my repo', 'ü-ß', '...', 'a.b']) assert.equal(isValidIdentifier(good), true, good);
  });
});

describe('service URLs', () => {
  it('builds clone and relay URLs for either scheme with a percent-encoded identifier', () => {
    assert.equal(cloneUrlFor('h:1', false, PK, 'my repo'), `http://h:1/${NPUB}/my%20repo.git`);
    assert.equal(cloneUrlFor('h', true, PK, 'r'), `https://h/${NPUB}/r.git`);
    assert.equal(relayUrlFor('h:1', false), 'ws://h:1');
    assert.equal(relayUrlFor('h', true), 'wss://h');
  });
});

describe('listsService', () => {
  const domain = 'grasp.test:8080';

  it('accepts the canonical clone and relay URLs', () => {
    assert.equal(listsService(announcement('r', [cloneUrlFor(domain, false, PK, 'r')], [relayUrlFor(domain, false)]), domain), true);
  });

  it('compares host case-insensitively, ignores a trailing slash and accepts either scheme', () => {
    const a = announcement('r', ['https://example.com', `https://GRASP.test:8080/${NPUB}/r.git/`], ['wss://relay.example', 'WSS://Grasp.Test:8080/']);
    assert.equal(listsService(a, domain), true);
  });

  it('accepts a percent-encoded identifier in the clone URL', () => {
    const a = announcement('my repo/x', [`http://${domain}/${NPUB}/my%20repo%2Fx.git`], [`ws://${domain}`]);
    assert.equal(listsService(a, domain), true);
  });

  it('refuses when only one of clone and relays lists the service', () => {
    assert.equal(listsService(announcement('r', ['https://github.com/u/r.git'], [`ws://${domain}`]), domain), false);
    assert.equal(listsService(announcement('r', [cloneUrlFor(domain, false, PK, 'r')], ['wss://relay.damus.io']), domain), false);
    assert.equal(listsService(parseAnnouncement(event(30617, [['d', 'r']])), domain), false);
  });

  it('refuses a clone URL for another npub, another identifier, another port or without .git', () => {
    const other = nip19.npubEncode('b'.repeat(64));
    for (const clone of [
      `http://${domain}/${other}/r.git`,
      `http://${domain}/${NPUB}/s.git`,
      `http://grasp.test:8081/${NPUB}/r.git`,
      `http://${domain}/${NPUB}/r`,
      `ftp://${domain}/${NPUB}/r.git`,
      `http://${domain}.evil/${NPUB}/r.git`,
    ]) {
      assert.equal(listsService(announcement('r', [clone], [`ws://${domain}`]), domain), false, clone);
    }
  });

  it('refuses a relay URL with a path or another host', () => {
    const clone = cloneUrlFor(domain, false, PK, 'r');
    for (const relay of [`ws://${domain}/x`, 'ws://grasp.test', `http://${domain}`, `ws://${domain}.evil`]) {
      assert.equal(listsService(announcement('r', [clone], [relay]), domain), false, relay);
    }
  });
});
