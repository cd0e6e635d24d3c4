// Moderation lists, pure: entry forms, file format with line numbers, matching, hiding and the policy hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nip19 } from 'nostr-tools';
import {
  EMPTY_LISTS, ListEntryError, buildLists, isHidden, listsHook, parseAuthorEntry, parseListsFile, parseRepoEntry,
  refusalList, repoRefusal, type ModerationLists,
} from './lists.js';
import { ev, fakeWorld, hex32 } from './test-world.js';

const alice = hex32();
const bob = hex32();
const npub = (pk: string): string => nip19.npubEncode(pk);

test('entries: <npub>, <npub>/<identifier>, <identifier>; bad npubs are refused with a clear message', () => {
  assert.deepEqual(parseRepoEntry(npub(alice)), { pubkey: alice });
  assert.deepEqual(parseRepoEntry(`${npub(alice)}/my/repo`), { pubkey: alice, d: 'my/repo' });
  assert.deepEqual(parseRepoEntry(' spam-repo '), { d: 'spam-repo' });
  assert.throws(() => parseRepoEntry('npub1notreally/x'), ListEntryError);
  assert.throws(() => parseRepoEntry(`${npub(alice)}/`), /empty identifier/);
  assert.throws(() => parseRepoEntry(''), /empty/);
  assert.equal(parseAuthorEntry(npub(bob)), bob);
  assert.equal(parseAuthorEntry(bob), bob);
  assert.throws(() => parseAuthorEntry('some-identifier'), /must be npubs/);
});

test('lists file: one "<list> <entry>" per line, comments and blanks ignored, errors name the line', () => {
  const raw = parseListsFile(`# moderation\n\nrepo-blacklist spam   # trailing comment\nauthor-blacklist ${npub(bob)}\nrepo-whitelist ${npub(alice)}\n`);
  assert.deepEqual(raw, { 'repo-whitelist': [npub(alice)], 'repo-blacklist': ['spam'], 'author-blacklist': [npub(bob)] });
  assert.throws(() => parseListsFile('repo-blacklist spam\nrepo-greylist x\n'), /line 2/);
  assert.throws(() => parseListsFile('author-blacklist not-an-npub\n'), /line 1: author entries must be npubs/);
});

test('blacklist wins over the whitelist; the whitelist admits only matching announcements', () => {
  const lists = buildLists({ 'repo-whitelist': [npub(alice)], 'repo-blacklist': [`${npub(alice)}/bad`], 'author-blacklist': [] });
  assert.equal(repoRefusal(lists, alice, 'good'), undefined);
  assert.match(repoRefusal(lists, alice, 'bad') ?? '', /^blocked: .*blacklisted/);
  assert.match(repoRefusal(lists, bob, 'good') ?? '', /^blocked: .*whitelist/);
  assert.equal(repoRefusal(EMPTY_LISTS, bob, 'anything'), undefined);
});

test('hidden: events of blacklisted authors, and events naming only blacklisted repositories', () => {
  const lists: ModerationLists = buildLists({ 'repo-whitelist': [], 'repo-blacklist': ['spam'], 'author-blacklist': [npub(bob)] });
  const ann = ev({ kind: 30617, pubkey: alice, tags: [['d', 'spam']] });
  const issueOnSpam = ev({ kind: 1621, pubkey: alice, tags: [['a', `30617:${alice}:spam`]] });
  const issueOnBoth = ev({ kind: 1621, pubkey: alice, tags: [['a', `30617:${alice}:spam`], ['a', `30617:${alice}:fine`]] });
  assert.equal(isHidden(lists, ann), true);
  assert.equal(isHidden(lists, issueOnSpam), true);
  assert.equal(isHidden(lists, issueOnBoth), false, 'also names a hosted repository');
  assert.equal(isHidden(lists, ev({ kind: 1, pubkey: bob })), true, 'author blacklist covers every kind');
  assert.equal(isHidden(lists, ev({ kind: 30617, pubkey: alice, tags: [['d', 'fine']] })), false);
});

test('the hook refuses blacklisted authors (any kind), listed repositories and their events, and counts by list', async () => {
  const lists = buildLists({ 'repo-whitelist': [], 'repo-blacklist': ['spam'], 'author-blacklist': [npub(bob)] });
  const hook = listsHook(() => lists);
  const world = fakeWorld();
  const decide = async (e: ReturnType<typeof ev>): Promise<string | undefined> => {
    const d = await hook(e, { source: 'client' }, world);
    return d?.type === 'reject' ? d.reason : d?.type;
  };
  assert.equal(refusalList((await decide(ev({ kind: 5, pubkey: bob }))) ?? ''), 'author-blacklist');
  assert.equal(refusalList((await decide(ev({ kind: 30617, pubkey: alice, tags: [['d', 'spam']] }))) ?? ''), 'repo-blacklist');
  assert.equal(refusalList((await decide(ev({ kind: 1621, pubkey: alice, tags: [['a', `30617:${alice}:spam`]] }))) ?? ''), 'repo-blacklist');
  assert.equal(await decide(ev({ kind: 30617, pubkey: alice, tags: [['d', 'ok']] })), undefined, 'no opinion: GRASP rules decide');
});
