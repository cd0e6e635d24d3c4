// Pagination is relative to what arrived (SYNC.md "Live and historic"): a remote that publishes no
// max_limit and silently returns fewer events per REQ than asked is paged until a page brings nothing
// new; NIP-77 id fetches it answers only in part are asked again for what is missing.
import { test } from 'node:test';
import { issue, newKey } from '../helpers/events.js';
import { freePort } from '../helpers/process.js';
import { graspd, host, newRepo, proxy, publish, waitForEvents } from './kit.js';

for (const method of ['req', 'negentropy'] as const) {
  test(`a remote that silently returns at most 3 events per REQ still hands over all 20 (${method})`, async (t) => {
    const pb = await freePort();
    const p = await proxy(t, 1);
    const a = await graspd(t, { domain: p.domain });
    p.setUpstream(a.port);
    const owner = newKey();
    const repo = await newRepo(owner, `capped-${method}`, [p.domain, `127.0.0.1:${pb}`]);
    await host(a, repo);
    const u = newKey();
    const issues = Array.from({ length: 20 }, (_, i) => issue(u, owner, repo.d, `issue ${i}`));
    await publish(a.relayUrl, ...issues);
    p.hideMaxLimit = true;
    p.capEventsPerReq = 3;
    const b = await graspd(t, { port: pb, args: method === 'req' ? ['--no-sync-negentropy'] : [] });
    await host(b, repo);
    await waitForEvents(b.relayUrl, issues, 'every issue through a silently capped remote', 30_000);
  });
}
