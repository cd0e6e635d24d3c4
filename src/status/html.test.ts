import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStatusPage } from './html.js';
import type { StatusReport } from './types.js';

const evil = '<img src=x onerror=alert(1)>"\'&';

function report(): StatusReport {
  return {
    version: '1.0', domain: 'example.org', generatedAt: new Date(0).toISOString(),
    sync: { enabled: true, reporting: true },
    totals: { events: 1, repos: 1, reposIncomplete: 1, purgatory: 1, connections: 0 },
    purgatory: { total: 1, byKind: { '30617': 1 }, byReason: { [evil]: 1 } },
    relays: [{
      url: `wss://x.example/${evil}`, connection: 'disconnected', health: 'dead', failures: 9, bootstrap: false, repos: 1, liveFilters: 0,
      historicSubscriptions: 0, filterCapacity: 70, pendingHistoricBatches: 0, firstSyncDone: false, bytesIn: 0, bytesOut: 0, nip77: null, lastError: `NOTICE: ${evil}`,
    }],
    repos: [{
      npub: 'npub1xyz', owner: 'ab'.repeat(32), d: evil, name: evil, announcement: 'purgatory', state: 'none', gitData: 'no-state', missingOids: [],
      purgatoryReasons: [`announcement: ${evil}`], fetch: { pendingJobs: 1, attempts: 2, urls: [evil], lastAttemptAt: new Date(0).toISOString(), lastAttemptUrl: evil, lastOutcome: 'failed', lastError: evil },
      sync: { level: 'stateOnly', relays: [{ url: evil, confirmed: false }], confirmed: 0 }, incomplete: true,
    }],
    reposTruncated: false,
  };
}

test('every remote-controlled text is escaped: no markup from names, URLs, reasons or errors', () => {
  const html = renderStatusPage(report(), 1000);
  assert.ok(!html.includes('<img'), 'no element from remote text');
  assert.ok(!/<script/i.test(html));
  const escaped = '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;';
  // relay URL, relay error, repo name, purgatory reason, by-reason summary, fetch error, sync relay
  assert.ok(html.split(escaped).length - 1 >= 7, html);
  // the repository link percent-encodes the identifier
  assert.ok(html.includes('href="/npub1xyz/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%22&#39;%26.git"'));
});
