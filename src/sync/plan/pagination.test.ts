import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decidePage, dedupeById, firstPage, isFullPage, type PageCursor, type PageEvent } from './pagination.js';
import type { NostrFilter } from '../../nostr/types.js';
import type { RelayLimits } from './types.js';

const ev = (id: number, t: number): PageEvent => ({ id: `id${id}`, created_at: t });

/** A fake remote over a fixed event set: newest first, honours since/until/limit and a max_limit. */
function serve(all: PageEvent[], f: NostrFilter, maxLimit: number): PageEvent[] {
  return all
    .filter((e) => (f.since === undefined || e.created_at >= f.since) && (f.until === undefined || e.created_at <= f.until))
    .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1))
    .slice(0, Math.min(f.limit ?? maxLimit, maxLimit));
}

function runAll(all: PageEvent[], limit: number, remote: RelayLimits, maxLimit: number, base: NostrFilter = { kinds: [1] }) {
  let c: PageCursor = firstPage(base, limit);
  const seen = new Set<string>();
  for (let guard = 0; guard < 10_000; guard++) {
    const page = serve(all, c.filter, maxLimit);
    dedupeById(seen, page);
    const d = decidePage(c, page, remote);
    if (d.type === 'done') return { seen, d, pages: guard + 1 };
    c = d.cursor;
  }
  throw new Error('pagination did not terminate');
}

test('a page smaller than the limit ends pagination when the remote publishes max_limit', () => {
  const d = decidePage(firstPage({ kinds: [1] }, 10), [ev(1, 5)], { maxLimit: 100 });
  assert.deepEqual(d, { type: 'done', reason: 'notFull', truncated: false });
});

test('without a published max_limit a short page is not trusted: paging goes on until nothing new arrives', () => {
  const d = decidePage(firstPage({ kinds: [1] }, 10), [ev(1, 5)], {});
  assert.equal(d.type, 'next');
  // a remote that silently returns at most 3 events per REQ, asked for 10
  const all = Array.from({ length: 40 }, (_, i) => ev(i, 1000 - Math.floor(i / 2)));
  const { seen, d: end } = runAll(all, 10, {}, 3);
  assert.equal(seen.size, 40);
  assert.equal(end.truncated, false);
});

test('a full page continues with an inclusive until at the oldest event', () => {
  const d = decidePage(firstPage({ kinds: [1] }, 2), [ev(1, 9), ev(2, 7)], {});
  assert.equal(d.type, 'next');
  if (d.type === 'next') assert.deepEqual(d.cursor.filter, { kinds: [1], until: 7, limit: 2 });
});

test('a page of the remote max_limit or default_limit counts as full', () => {
  assert.equal(isFullPage(100, 500, { maxLimit: 100 }), true);
  assert.equal(isFullPage(50, 500, { defaultLimit: 50 }), true);
  assert.equal(isFullPage(49, 500, { defaultLimit: 50 }), false);
  assert.equal(isFullPage(0, 0, {}), false);
});

test('fetches every event across pages, including boundary seconds', () => {
  const all = Array.from({ length: 95 }, (_, i) => ev(i, 1000 + Math.floor(i / 3)));
  const { seen, d } = runAll(all, 10, {}, 10);
  assert.equal(seen.size, 95);
  assert.equal(d.truncated, false);
});

test('many events in one second never loop and are not skipped when the remote allows a bigger limit', () => {
  const all = [...Array.from({ length: 40 }, (_, i) => ev(i, 500)), ...Array.from({ length: 15 }, (_, i) => ev(100 + i, 400 - i))];
  const { seen, d } = runAll(all, 10, { maxLimit: 50 }, 50);
  assert.equal(seen.size, 55);
  assert.equal(d.truncated, false);
});

test('a second holding more events than the remote can return is reported truncated, not looped', () => {
  const all = [...Array.from({ length: 30 }, (_, i) => ev(i, 500)), ev(99, 100)];
  const { seen, d, pages } = runAll(all, 10, {}, 10);
  assert.equal(d.type, 'done');
  assert.equal(d.truncated, true);
  assert.ok(pages <= 3);
  assert.ok(seen.size >= 10);
});

test('the page cap bounds the work', () => {
  const all = Array.from({ length: 100 }, (_, i) => ev(i, 1000 - i));
  let c = firstPage({ kinds: [1] }, 2);
  let d = decidePage(c, serve(all, c.filter, 2), {}, 3);
  for (let i = 0; i < 5 && d.type === 'next'; i++) {
    c = d.cursor;
    d = decidePage(c, serve(all, c.filter, 2), {}, 3);
  }
  assert.equal(d.type === 'done' && d.reason, 'maxPages');
  // not confirmed, and resumable below the last page instead of starting over
  assert.ok(d.type === 'done' && d.reason === 'maxPages' && d.resume.filter.until === 997 && d.resume.pages === 0);
});

test('pagination stops at since', () => {
  const all = Array.from({ length: 30 }, (_, i) => ev(i, 100 + i));
  const { seen } = runAll(all, 5, {}, 5, { kinds: [1], since: 120 });
  assert.equal(seen.size, 10);
});

test('dedupeById keeps only unseen ids', () => {
  const seen = new Set(['id1']);
  assert.deepEqual(dedupeById(seen, [ev(1, 1), ev(2, 1), ev(2, 1)]).map((e) => e.id), ['id2']);
});
