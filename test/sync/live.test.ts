// Discovery through --bootstrap-relay, then live sync in both directions of all layers (SYNC.md
// "Self-subscription", "Filters", "Live and historic").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comment, issue, newKey } from '../helpers/events.js';
import { graspd, host, newRepo, patch, pr, publish, pushWhenSynced, reply, waitForEvents, metric } from './kit.js';
import { freePort } from '../helpers/process.js';

test('a repo announced on A reaches B through the bootstrap relay, then issues, patches, PRs, comments and replies sync live both ways', async (t) => {
  const [pa, pb] = [await freePort(), await freePort()];
  const domains = [`127.0.0.1:${pa}`, `127.0.0.1:${pb}`];
  const a = await graspd(t, { port: pa });
  const b = await graspd(t, { port: pb, args: ['--bootstrap-relay', a.relayUrl] });
  const owner = newKey();
  const repo = await newRepo(owner, 'live', domains);
  await host(a, repo);
  // B can only accept the push once sync brought it the announcement and the state
  await pushWhenSynced(b, repo);

  const alice = newKey();
  const bob = newKey();
  const i1 = issue(alice, owner, 'live', 'issue on A');
  await publish(a.relayUrl, i1);
  const p1 = patch(bob, repo, 'patch on B');
  const pr1 = pr(bob, repo, 'pr on B');
  await publish(b.relayUrl, p1, pr1);
  await waitForEvents(b.relayUrl, [i1], 'issue A→B');
  await waitForEvents(a.relayUrl, [p1, pr1], 'patch and PR B→A');

  const c1 = comment(bob, i1, 'comment on B');
  const c2 = comment(alice, p1, 'comment on A');
  await publish(b.relayUrl, c1);
  await publish(a.relayUrl, c2);
  await waitForEvents(a.relayUrl, [c1], 'comment B→A');
  await waitForEvents(b.relayUrl, [c2], 'comment A→B');
  const r1 = reply(alice, i1, c1, 'reply on A');
  const r2 = reply(bob, p1, c2, 'reply on B');
  await publish(a.relayUrl, r1);
  await publish(b.relayUrl, r2);
  await waitForEvents(b.relayUrl, [r1], 'reply A→B');
  await waitForEvents(a.relayUrl, [r2], 'reply B→A');

  const lines = await metric(b, 'graspd_sync_relay_connected');
  assert.ok(lines.some((l) => l.includes(`relay="${a.relayUrl}"`) && l.endsWith(' 1')), lines.join('\n'));
});
