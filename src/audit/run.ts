// `graspd audit <url>`: a black-box GRASP-01 conformance probe of any server (grasp-requirements.md §3).
// One scenario with throwaway keys: owner O (lists maintainer M), M's own announcement (lists R), a
// rogue key K and a stranger Q; fresh identifiers per run. Every check records pass/fail/skip against a
// spec line; a failed step makes the checks that depend on it skip. Published events are deleted (NIP-09)
// at the end.
import { randomBytes } from 'node:crypto';
import { finalizeEvent, generateSecretKey, getPublicKey, nip19 } from 'nostr-tools';
import type { NostrEvent } from '../nostr/types.js';
import { GitProbe } from './git-probe.js';
import { RelayLink } from './relay-link.js';
import type { CheckResult, Status } from './report.js';
import type { RequirementRef } from './requirements.js';

export interface AuditOptions {
  /** http(s)://host[:port] of the server under test */
  target: string;
  /** bound of one network step (default 15 s) */
  timeoutMs?: number;
  /** how long to wait for an event to become served (default 5 s) */
  settleMs?: number;
  /** progress lines (one per check) */
  progress?: (line: string) => void;
}

interface Key {
  sk: Uint8Array;
  pk: string;
  npub: string;
}

const newKey = (): Key => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  return { sk, pk, npub: nip19.npubEncode(pk) };
};

class Recorder {
  readonly results: CheckResult[] = [];
  constructor(private readonly progress?: (line: string) => void) {}
  add(ref: CheckResult['ref'], check: string, status: Status, detail?: string): boolean {
    this.results.push({ ref, check, status, ...(detail !== undefined ? { detail } : {}) });
    this.progress?.(`${status.toUpperCase()} ${ref} ${check}${detail ? ` (${detail})` : ''}`);
    return status === 'pass';
  }
  expect(ref: RequirementRef, check: string, ok: boolean, detail?: string): boolean {
    return this.add(ref, check, ok ? 'pass' : 'fail', ok ? undefined : detail);
  }
  /** runs a step; an exception is a failure of that check */
  async step(ref: RequirementRef, check: string, fn: () => Promise<true | string>): Promise<boolean> {
    try {
      const r = await fn();
      return this.expect(ref, check, r === true, r === true ? undefined : r);
    } catch (err) {
      return this.add(ref, check, 'fail', err instanceof Error ? err.message : String(err));
    }
  }
  skip(ref: RequirementRef, check: string, why: string): false {
    this.add(ref, check, 'skip', why);
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function eventually(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

function header(h: Headers, name: string): string {
  return h.get(name) ?? '';
}

/** Which of GRASP-01 cors:64/65/66 a response misses. */
function corsProblems(h: Headers): Array<'GRASP-01:cors:64' | 'GRASP-01:cors:65' | 'GRASP-01:cors:66'> {
  const out: Array<'GRASP-01:cors:64' | 'GRASP-01:cors:65' | 'GRASP-01:cors:66'> = [];
  if (header(h, 'access-control-allow-origin').trim() !== '*') out.push('GRASP-01:cors:64');
  const methods = header(h, 'access-control-allow-methods').toUpperCase().split(',').map((s) => s.trim());
  if (!methods.includes('GET') || !methods.includes('POST')) out.push('GRASP-01:cors:65');
  const allowed = header(h, 'access-control-allow-headers').toLowerCase().split(',').map((s) => s.trim());
  if (!allowed.includes('content-type')) out.push('GRASP-01:cors:66');
  return out;
}

export async function runAudit(opts: AuditOptions): Promise<CheckResult[]> {
  const rec = new Recorder(opts.progress);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const settleMs = opts.settleMs ?? 5_000;
  const base = new URL(opts.target);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`audit target must be an http(s) URL, got ${opts.target}`);
  const httpBase = `${base.protocol}//${base.host}`;
  const relayUrl = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}`;
  const runId = randomBytes(6).toString('hex');
  const d = `grasp-audit-${runId}`;
  const repoUrl = (k: Key, id = d): string => `${httpBase}/${k.npub}/${encodeURIComponent(id)}.git`;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> =>
    fetch(httpBase + path, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });

  let clock = Math.floor(Date.now() / 1000) - 600;
  const published = new Map<Key, NostrEvent[]>();
  const sign = (key: Key, kind: number, tags: string[][], content = ''): NostrEvent => {
    const e = finalizeEvent({ kind, tags: [...tags, ['t', 'grasp-audit']], content, created_at: Math.min(++clock, Math.floor(Date.now() / 1000)) }, key.sk);
    return { id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig };
  };
  const O = newKey(), M = newKey(), R = newKey(), K = newKey(), Q = newKey();
  const announce = (key: Key, maintainers: string[]): NostrEvent =>
    sign(key, 30617, [['d', d], ['name', d], ['description', 'temporary repository of a GRASP conformance audit'], ['clone', repoUrl(key)], ['relays', relayUrl], ...(maintainers.length ? [['maintainers', ...maintainers]] : [])]);
  const stateOf = (key: Key, main: string): NostrEvent => sign(key, 30618, [['d', d], ['refs/heads/main', main], ['HEAD', 'ref: refs/heads/main']]);

  // ---- NIP-11 ----
  let nip11: Record<string, unknown> | undefined;
  await rec.step('GRASP-01:nip-11:26', 'GET / with Accept: application/nostr+json is a JSON document with name, description, software, version', async () => {
    const r = await get('/', { Accept: 'application/nostr+json' });
    if (r.status !== 200) return `HTTP ${r.status}`;
    const body: unknown = await r.json();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'not a JSON object';
    nip11 = body as Record<string, unknown>;
    const missing = ['name', 'description', 'software', 'version'].filter((k) => !(k in body));
    return missing.length === 0 ? true : `missing ${missing.join(', ')}`;
  });
  const grasps = nip11?.supported_grasps;
  if (!nip11) {
    rec.skip('GRASP-01:nip-11:28', 'supported_grasps', 'no NIP-11 document');
    rec.skip('GRASP-01:nip-11:29', 'repo_acceptance_criteria', 'no NIP-11 document');
    rec.skip('GRASP-01:nip-11:30', 'curation', 'no NIP-11 document');
  } else {
    const okGrasps = Array.isArray(grasps) && grasps.includes('GRASP-01') && grasps.every((g) => typeof g === 'string' && /^GRASP-\d{2}$/.test(g));
    rec.expect('GRASP-01:nip-11:28', 'supported_grasps is an array of GRASP-XX strings containing GRASP-01', okGrasps, `supported_grasps = ${JSON.stringify(grasps)}`);
    const rac = nip11.repo_acceptance_criteria;
    rec.expect('GRASP-01:nip-11:29', 'repo_acceptance_criteria is a non-empty string', typeof rac === 'string' && rac.trim() !== '', `repo_acceptance_criteria = ${JSON.stringify(rac)}`);
    const cur = nip11.curation;
    rec.expect('GRASP-01:nip-11:30', 'curation is absent or a non-empty string', cur === undefined || (typeof cur === 'string' && cur.trim() !== ''), `curation = ${JSON.stringify(cur)}`);
  }

  // ---- CORS ----
  const corsMisses = new Map<string, string[]>();
  const probeCors = async (what: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response | undefined> => {
    try {
      const r = await get(path, headers, method);
      await r.arrayBuffer().catch(() => undefined);
      for (const p of corsProblems(r.headers)) corsMisses.set(p, [...(corsMisses.get(p) ?? []), what]);
      return r;
    } catch (err) {
      for (const p of ['GRASP-01:cors:64', 'GRASP-01:cors:65', 'GRASP-01:cors:66']) corsMisses.set(p, [...(corsMisses.get(p) ?? []), `${what}: ${String(err)}`]);
      return undefined;
    }
  };
  await probeCors('GET / (HTML)', '/');
  await probeCors('GET / (NIP-11)', '/', { Accept: 'application/nostr+json' });
  await probeCors('404 info/refs', '/npub1test/nonexistent.git/info/refs?service=git-upload-pack');
  const optionsBad: string[] = [];
  for (const path of ['/', '/npub1test/test.git/info/refs', '/npub1test/test.git/git-upload-pack']) {
    const r = await probeCors(`OPTIONS ${path}`, path, {}, 'OPTIONS');
    if (r?.status !== 204) optionsBad.push(`OPTIONS ${path} → ${r ? r.status : 'no answer'}`);
  }

  // ---- NIP-01 relay ----
  let link: RelayLink | undefined;
  await rec.step('GRASP-01:nostr-relay:7', `WebSocket connection to ${relayUrl}`, async () => {
    link = await RelayLink.connect(relayUrl, timeoutMs);
    return true;
  });
  const git = new GitProbe(runId, Math.max(timeoutMs, 60_000));
  try {
    if (!link) {
      rec.skip('GRASP-01:nostr-relay:7', 'every relay and git check', 'no WebSocket connection');
      return finish();
    }
    const relay = link;
    await rec.step('GRASP-01:nostr-relay:7', 'REQ is answered with EOSE', async () => {
      await relay.query([{ kinds: [1], limit: 1 }]);
      return true;
    });
    await rec.step('GRASP-01:nostr-relay:7', 'an event with a wrong id is refused (OK false)', async () => {
      const e = sign(Q, 1, [], 'grasp-audit invalid id');
      const a = await relay.publish({ ...e, id: '0'.repeat(64) });
      return a.ok ? 'accepted' : true;
    });
    await rec.step('GRASP-01:nostr-relay:7', 'an event with a wrong signature is refused (OK false)', async () => {
      const e = sign(Q, 1, [], 'grasp-audit bad sig');
      const other = sign(K, 1, [], 'grasp-audit other');
      const a = await relay.publish({ ...e, sig: other.sig });
      return a.ok ? 'accepted' : true;
    });

    // announcements not listing the service
    const foreign = newKey();
    const notListed: Array<[string, string[][]]> = [
      ['clone elsewhere, relays here', [['clone', `https://git.example.invalid/${foreign.npub}/${d}.git`], ['relays', relayUrl]]],
      ['clone here, relays elsewhere', [['clone', repoUrl(foreign)], ['relays', 'wss://relay.example.invalid']]],
      ['neither clone nor relays', []],
    ];
    for (const [what, tags] of notListed) {
      await rec.step('GRASP-01:nostr-relay:9', `announcement not listing the service is refused (${what})`, async () => {
        const e = sign(foreign, 30617, [['d', `${d}-${what.replace(/\W+/g, '-')}`], ...tags]);
        const a = await relay.publish(e);
        if (a.ok) return `accepted: ${a.message}`;
        await sleep(300);
        return (await relay.served(e.id)) ? 'refused but served' : true;
      });
    }

    // the owner's announcement: accepted, held in purgatory, git endpoint exists
    const annO = announce(O, [M.pk]);
    const answers = new Map<string, string>();
    const pub = async (key: Key, e: NostrEvent): Promise<{ ok: boolean; message: string }> => {
      published.set(key, [...(published.get(key) ?? []), e]);
      const a = await relay.publish(e);
      answers.set(e.id, a.message);
      return a;
    };
    const annOk = await rec.step('GRASP-01:nostr-relay:7', 'an announcement listing the service is accepted (OK true)', async () => {
      const a = await pub(O, annO);
      return a.ok ? true : `refused: ${a.message}`;
    });
    if (!annOk) {
      rec.skip('GRASP-01:git-http:34', 'git and push checks', 'the announcement was not accepted');
      return finish();
    }
    rec.expect('GRASP-01:purgatory:22', 'a new announcement is answered "purgatory: …"', (answers.get(annO.id) ?? '').startsWith('purgatory:'), `OK message ${JSON.stringify(answers.get(annO.id))}`);
    await sleep(300);
    await rec.step('GRASP-01:purgatory:22', 'a new announcement is not served before git data arrives', async () =>
      (await relay.served(annO.id)) ? 'served at once' : true,
    );

    const urlO = repoUrl(O);
    const infoRefs = async (url: string, service: string): Promise<Response> =>
      fetch(`${url}/info/refs?service=${service}`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const repoReady = await rec.step('GRASP-01:git-http:34', 'info/refs?service=git-upload-pack of the purgatory repository answers 200 with the git advertisement', async () => {
      let last = '';
      const ok = await eventually(async () => {
        const r = await infoRefs(urlO, 'git-upload-pack');
        const body = await r.text();
        last = `HTTP ${r.status} ${header(r.headers, 'content-type')}`;
        return r.status === 200 && header(r.headers, 'content-type').startsWith('application/x-git-upload-pack-advertisement') && body.includes('# service=git-upload-pack');
      }, 15_000);
      return ok ? true : last;
    });
    if (repoReady) {
      await rec.step('GRASP-01:git-http:34', 'info/refs?service=git-receive-pack answers 200 without authentication', async () => {
        const r = await infoRefs(urlO, 'git-receive-pack');
        await r.arrayBuffer();
        return r.status === 200 ? true : `HTTP ${r.status}`;
      });
      const r = await infoRefs(urlO, 'git-upload-pack');
      await r.arrayBuffer();
      for (const p of corsProblems(r.headers)) corsMisses.set(p, [...(corsMisses.get(p) ?? []), 'info/refs of a repository']);
      await rec.step('GRASP-01:git-http:34', 'git clone of the (empty) repository succeeds', async () => {
        const { result } = await git.clone(urlO);
        return result.code === 0 ? true : result.stderr.trim();
      });
    }
    await rec.step('GRASP-01:git-http:34', 'git clone of an unknown repository fails', async () => {
      const { result } = await git.clone(`${httpBase}/${newKey().npub}/no-such-repo-${runId}.git`);
      return result.code !== 0 ? true : 'clone succeeded';
    });
    await rec.step('GRASP-01:git-http:58', 'GET /<npub>/<d>.git serves an HTML page', async () => {
      const r = await fetch(urlO, { signal: AbortSignal.timeout(timeoutMs) });
      await r.arrayBuffer();
      return r.status === 200 && header(r.headers, 'content-type').includes('text/html') ? true : `HTTP ${r.status} ${header(r.headers, 'content-type')}`;
    });
    await rec.step('GRASP-01:git-http:58', 'GET of an unknown repository answers 404', async () => {
      const r = await get(`/${newKey().npub}/no-such-repo-${runId}.git`);
      await r.arrayBuffer();
      return r.status === 404 ? true : `HTTP ${r.status}`;
    });
    if (!repoReady) {
      rec.skip('GRASP-01:git-http:36', 'push checks', 'no git endpoint for the announcement');
      return finish();
    }

    // ---- pushes ----
    await git.init();
    const stray = await git.commit();
    await rec.step('GRASP-01:git-http:36', 'a push with no state event is refused', async () => {
      const r = await git.push(urlO, stray, 'refs/heads/main');
      return r.code !== 0 ? true : 'push accepted';
    });
    const c1 = await git.commit();
    const s1 = stateOf(O, c1);
    const stateOk = await rec.step('GRASP-01:nostr-relay:7', "the owner's state announcement is accepted (OK true)", async () => {
      const a = await pub(O, s1);
      return a.ok ? true : `refused: ${a.message}`;
    });
    if (!stateOk) {
      rec.skip('GRASP-01:git-http:36', 'push checks', 'the state was not accepted');
      return finish();
    }
    await sleep(300);
    rec.expect('GRASP-01:purgatory:22', 'a state whose commits are missing is answered "purgatory: …"', (answers.get(s1.id) ?? '').startsWith('purgatory:'), `OK message ${JSON.stringify(answers.get(s1.id))}`);
    await rec.step('GRASP-01:purgatory:22', 'a state whose commits are missing is not served', async () => ((await relay.served(s1.id)) ? 'served before the push' : true));
    const wrong = await git.commit();
    await rec.step('GRASP-01:git-http:36', 'a push of a commit the state does not name is refused', async () => {
      const r = await git.push(urlO, wrong, 'refs/heads/main');
      return r.code !== 0 ? true : 'push accepted';
    });
    const pushed = await rec.step('GRASP-01:git-http:36', 'a push that aligns the repository with the state is accepted', async () => {
      const r = await git.push(urlO, c1, 'refs/heads/main');
      return r.code === 0 ? true : r.stderr.trim();
    });
    if (pushed) {
      await rec.step('GRASP-01:git-http:39', 'after the push the state is served', async () => ((await eventually(() => relay.served(s1.id), settleMs)) ? true : 'not served'));
      await rec.step('GRASP-01:git-http:39', 'after the push the announcement is served', async () => ((await eventually(() => relay.served(annO.id), settleMs)) ? true : 'not served'));
      await rec.step('GRASP-01:git-http:39', 'HEAD follows the state (symref=HEAD:refs/heads/main)', async () => {
        const r = await infoRefs(urlO, 'git-upload-pack');
        const body = await r.text();
        return body.includes('symref=HEAD:refs/heads/main') ? true : 'no symref=HEAD:refs/heads/main in the advertisement';
      });
    }

    // maintainer, recursive maintainer, rogue key
    const c2 = await git.commit(c1);
    const s2 = stateOf(M, c2);
    await rec.step('GRASP-01:git-http:36', "a listed maintainer's state authorises a push", async () => {
      const a = await pub(M, s2);
      if (!a.ok) return `state refused: ${a.message}`;
      const r = await git.push(urlO, c2, 'refs/heads/main');
      return r.code === 0 ? true : r.stderr.trim();
    });
    const annM = announce(M, [R.pk]);
    const c3 = await git.commit(c2);
    const s3 = stateOf(R, c3);
    const recursive = await rec.step('GRASP-01:git-http:36', "a recursive maintainer's state (listed in the maintainer's own announcement) authorises a push", async () => {
      const a = await pub(M, annM);
      if (!a.ok) return `maintainer's announcement refused: ${a.message}`;
      const b = await pub(R, s3);
      if (!b.ok) return `state refused: ${b.message}`;
      const r = await git.push(urlO, c3, 'refs/heads/main');
      return r.code === 0 ? true : r.stderr.trim();
    });
    if (recursive) {
      await rec.step('GRASP-01:git-http:39', "the other repository governed by the state (the maintainer's) is aligned too", async () => {
        let seen = '';
        const ok = await eventually(async () => {
          seen = (await git.lsRemote(repoUrl(M))).get('refs/heads/main') ?? 'nothing';
          return seen === c3;
        }, settleMs);
        return ok ? true : `maintainer's repository main = ${seen}`;
      });
    }
    const c4 = await git.commit(c3);
    await rec.step('GRASP-01:git-http:36', 'a state by a key outside the maintainer set does not authorise a push', async () => {
      await pub(K, stateOf(K, c4));
      const r = await git.push(urlO, c4, 'refs/heads/main');
      return r.code !== 0 ? true : 'push accepted';
    });

    // ---- capabilities, filter, want by oid (an empty repository advertises no capabilities in protocol v0) ----
    const adv = await infoRefs(urlO, 'git-upload-pack');
    const caps = (await adv.text()).split('\0')[1]?.split('\n')[0] ?? '';
    rec.expect('GRASP-01:git-http:56', 'advertisement includes allow-tip-sha1-in-want and allow-reachable-sha1-in-want', /\ballow-tip-sha1-in-want\b/.test(caps) && /\ballow-reachable-sha1-in-want\b/.test(caps), `capabilities: ${caps.slice(0, 200)}`);
    rec.expect('GRASP-01:git-http:56', 'advertisement includes filter (partial clone)', /(^|\s)filter(\s|$)/.test(caps), `capabilities: ${caps.slice(0, 200)}`);
    const head = recursive ? c3 : pushed ? c1 : undefined;
    if (head) {
      await rec.step('GRASP-01:git-http:56', 'git clone --filter=blob:none succeeds and yields the pushed commit', async () => {
        const { result, dir } = await git.clone(urlO, ['--filter=blob:none']);
        if (result.code !== 0) return result.stderr.trim();
        const got = await git.revParse(dir, 'HEAD');
        return got === head ? true : `HEAD is ${got ?? 'missing'}`;
      });
      await rec.step('GRASP-01:git-http:56', 'a reachable commit can be fetched by its oid', async () => {
        const r = await git.run(['-C', git.work, 'fetch', '-q', urlO, c1]);
        return r.code === 0 ? true : r.stderr.trim();
      });
    } else rec.skip('GRASP-01:git-http:56', 'filtered clone and fetch by oid', 'nothing was pushed');

    // ---- related events ----
    if (pushed) {
      const coord = `30617:${O.pk}:${d}`;
      const iss = sign(K, 1621, [['a', coord], ['p', O.pk], ['subject', 'grasp-audit issue']], 'an issue opened by a conformance audit');
      await rec.step('GRASP-01:nostr-relay:13', 'an issue tagging the repository (a) is accepted and served', async () => {
        const a = await pub(K, iss);
        if (!a.ok) return `refused: ${a.message}`;
        return (await eventually(() => relay.served(iss.id), settleMs)) ? true : 'accepted but not served';
      });
      await rec.step('GRASP-01:nostr-relay:13', 'a comment on that issue (E root) is accepted and served', async () => {
        const c = sign(Q, 1111, [['E', iss.id, '', 'root'], ['K', '1621'], ['P', K.pk], ['e', iss.id], ['k', '1621'], ['p', K.pk]], 'a comment');
        const a = await pub(Q, c);
        if (!a.ok) return `refused: ${a.message}`;
        return (await eventually(() => relay.served(c.id), settleMs)) ? true : 'accepted but not served';
      });
      await rec.step('GRASP-01:nostr-relay:13', 'a note quoting the repository (q) is accepted and served', async () => {
        const n = sign(Q, 1, [['q', coord]], 'a note about a repository');
        const a = await pub(Q, n);
        if (!a.ok) return `refused: ${a.message}`;
        return (await eventually(() => relay.served(n.id), settleMs)) ? true : 'accepted but not served';
      });
      await rec.step('GRASP-01:nostr-relay:18', 'an issue for an unknown repository is refused (orphan)', async () => {
        const a = await pub(Q, sign(Q, 1621, [['a', `30617:${newKey().pk}:${d}`], ['subject', 'orphan']], 'orphan'));
        return a.ok ? `accepted: ${a.message}` : true;
      });

      // ---- PR purgatory and refs/nostr ----
      const c5 = await git.commit(c3);
      const pr = sign(K, 1618, [['a', coord], ['p', O.pk], ['c', c5], ['clone', urlO], ['subject', 'grasp-audit PR']], 'a PR opened by a conformance audit');
      const prOk = await rec.step('GRASP-01:nostr-relay:13', 'a PR on the repository whose commit is missing is accepted (OK true)', async () => {
        const a = await pub(K, pr);
        return a.ok ? true : `refused: ${a.message}`;
      });
      if (prOk) {
        await sleep(300);
        rec.expect('GRASP-01:purgatory:22', 'that PR is answered "purgatory: …"', (answers.get(pr.id) ?? '').startsWith('purgatory:'), `OK message ${JSON.stringify(answers.get(pr.id))}`);
        await rec.step('GRASP-01:purgatory:22', 'that PR is not served before its commit arrives', async () => ((await relay.served(pr.id)) ? 'served at once' : true));
        const prPushed = await rec.step('GRASP-01:git-http:45', 'a push of the PR commit to refs/nostr/<pr-id> is accepted', async () => {
          const r = await git.push(urlO, c5, `refs/nostr/${pr.id}`);
          return r.code === 0 ? true : r.stderr.trim();
        });
        if (prPushed) {
          await rec.step('GRASP-01:purgatory:22', 'the PR is served once its commit arrived', async () => ((await eventually(() => relay.served(pr.id), settleMs)) ? true : 'not served'));
        }
      }
      await rec.step('GRASP-01:git-http:45', 'a push to refs/nostr/<event-id> for an event not (yet) known is accepted', async () => {
        const r = await git.push(urlO, c5, `refs/nostr/${randomBytes(32).toString('hex')}`);
        return r.code === 0 ? true : r.stderr.trim();
      });

      // ---- NIP-09 deletion of a purgatory state ----
      const c6 = await git.commit(c3);
      const s4 = stateOf(O, c6);
      await rec.step('GRASP-01:purgatory:22', 'a purgatory state deleted by its author (NIP-09) no longer authorises a push', async () => {
        const a = await pub(O, s4);
        if (!a.ok) return `state refused: ${a.message}`;
        const del = await pub(O, sign(O, 5, [['e', s4.id], ['k', '30618']], 'grasp-audit: withdraw state'));
        if (!del.ok) return `deletion refused: ${del.message}`;
        const r = await git.push(urlO, c6, 'refs/heads/main');
        return r.code !== 0 ? true : 'push accepted';
      });
    }
    return finish();
  } finally {
    git.dispose();
    await cleanup();
    link?.close();
  }

  function finish(): CheckResult[] {
    // CORS verdicts cover every response collected above
    const corsRefs = ['GRASP-01:cors:64', 'GRASP-01:cors:65', 'GRASP-01:cors:66'] as const;
    for (const ref of corsRefs) {
      const bad = corsMisses.get(ref);
      if (!rec.results.some((r) => r.ref === ref)) rec.expect(ref, 'header present on NIP-11, HTML, 404, OPTIONS and git responses', !bad, `missing on: ${bad?.join(', ')}`);
    }
    if (!rec.results.some((r) => r.ref === 'GRASP-01:cors:67')) rec.expect('GRASP-01:cors:67', 'OPTIONS on /, info/refs and git-upload-pack answers 204', optionsBad.length === 0, optionsBad.join('; '));
    if (!rec.results.some((r) => r.ref === 'GRASP-02')) {
      const advertised = Array.isArray(grasps) && grasps.includes('GRASP-02');
      rec.skip('GRASP-02', 'proactive sync', advertised ? 'advertised; not observable from outside with a single server' : 'not advertised');
    }
    return rec.results;
  }

  async function cleanup(): Promise<void> {
    if (!link || published.size === 0) return;
    const relay = link;
    let refused = 0;
    let sent = 0;
    for (const [key, events] of published) {
      const tags: string[][] = [];
      for (const e of events) {
        tags.push(['e', e.id]);
        if (e.kind >= 30000 && e.kind < 40000) tags.push(['a', `${e.kind}:${e.pubkey}:${d}`]);
      }
      for (const k of new Set(events.map((e) => e.kind))) tags.push(['k', String(k)]);
      sent++;
      const a = await relay.publish(sign(key, 5, tags, 'grasp-audit cleanup')).catch(() => ({ ok: false, message: 'no answer' }));
      if (!a.ok) refused++;
    }
    rec.add('cleanup', `NIP-09 deletion of the audit's events (${sent} deletion events)`, refused === 0 ? 'pass' : 'fail', refused ? `${refused} refused` : undefined);
  }
}
