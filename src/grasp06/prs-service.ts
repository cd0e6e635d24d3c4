// GRASP-06 `/prs/<npub>/<identifier>.git` (opt-in, --grasp06): a contributor pushes a PR's commit to a repository
// scoped to their own key, before or after publishing the PR event. Any well-formed path clones as an empty
// repository (nothing is created on disk); pushes create it and may only write `refs/nostr/<event-id>`; a ref whose
// event matches is mirrored into every hosted repository the PR names (never the reverse) and releases the event;
// a mismatching ref is deleted; placeholder refs whose event never comes expire; repositories with no refs left are
// removed. Kept apart from everything else: its own directory, not listed, not synced.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { parsePullRequest } from '../nostr/nip34.js';
import * as cli from '../git/git-cli.js';
import { handleGitRequest, sendText, type ReceiveSession } from '../git/http-backend.js';
import { KeyedMutex } from '../git/repo-lock.js';
import { parseGitPath, repoDir } from '../git/repo-paths.js';
import { recordPrRefs, sweepStalePrRefs } from '../git/pr-refs.js';
import { ZERO_OID } from '../git/state-refs.js';
import type { RateRule } from '../git/spool.js';
import type { Slots } from '../git/slots.js';
import { authorizePrsPush, eventIdOfRef, prsEventMismatch, prsIdentifiers } from './prs-rules.js';

export interface PrsDeps {
  dataDir: string;
  domain: string;
  gitTimeoutMs: number;
  gitMaxBodyBytes: number;
  rate?: RateRule;
  requestSlots?: Slots;
  /** placeholder refs (no event yet) are removed after this */
  placeholderExpiryMs: number;
  log: Logger;
  now: () => number;
  /** a PR / PR-update event by id, served or held */
  findPrEvent(id: string): Promise<NostrEvent | undefined>;
  /** a hosted repo of (owner, d): its directory, or undefined when not hosted here */
  hostedRepoDir(owner: string, d: string): Promise<string | undefined>;
  /** after the tip landed in a hosted repo: set refs/nostr/<id> there and release what it satisfies */
  mirrored(owner: string, d: string, eventId: string, tip: string): Promise<void>;
  /** release a held event (the relaxation path: no hosted repo involved) */
  release(id: string): Promise<void>;
}

const PREFIX = '/prs/';

export class PrsService {
  readonly #locks = new KeyedMutex();
  readonly #root: string;
  readonly #empty: string;

  constructor(private readonly deps: PrsDeps) {
    this.#root = join(deps.dataDir, 'prs');
    this.#empty = join(this.#root, 'empty.git');
  }

  async start(): Promise<void> {
    if (!isRepo(this.#empty)) {
      mkdirSync(this.#root, { recursive: true });
      await cli.initBareRepo(this.#empty);
    }
  }

  dirOf(pubkey: string, d: string): string {
    return repoDir(join(this.#root, 'scoped'), pubkey, d);
  }

  /** Serves `/prs/…`; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(PREFIX)) return false;
    const route = parseGitPath((req.url ?? '/').slice(PREFIX.length - 1));
    if ('error' in route || route.service === 'page') {
      sendText(res, 'error' in route ? route.error : 404, 'not found');
      return true;
    }
    const at = { pubkey: route.pubkey, d: route.d };
    const dir = this.dirOf(at.pubkey, at.d);
    const opts = { timeoutMs: this.deps.gitTimeoutMs, maxBodyBytes: this.deps.gitMaxBodyBytes, log: this.deps.log, spoolDir: join(this.#root, 'tmp'), ...(this.deps.rate ? { rate: this.deps.rate } : {}), ...(this.deps.requestSlots ? { requestSlots: this.deps.requestSlots } : {}) };
    if (route.service !== 'receive-pack') {
      // until a ref was accepted here, every well-formed path is an empty repository, and nothing is created
      const served = isRepo(dir) ? dir : this.#empty;
      await handleGitRequest(req, res, { endpoint: route.service, dir: served }, { ...opts, receive: { begin: () => Promise.reject(new Error('read only')) } });
      return true;
    }
    await this.#locks.run(dir, async () => {
      if (!isRepo(dir)) {
        mkdirSync(dirname(dir), { recursive: true });
        await cli.initBareRepo(dir);
      }
    });
    await handleGitRequest(req, res, { endpoint: 'receive-pack', dir }, { ...opts, receive: { begin: (updates) => this.#begin(at, dir, updates) } });
    return true;
  }

  async #begin(at: { pubkey: string; d: string }, dir: string, updates: Array<{ ref: string; old: string; new: string }>): Promise<ReceiveSession> {
    const release = await this.#locks.acquire(dir);
    try {
      const known = new Map<string, NostrEvent>();
      for (const u of updates) {
        const id = eventIdOfRef(u.ref);
        const ev = id ? await this.deps.findPrEvent(id) : undefined;
        if (id && ev) known.set(id, ev);
      }
      const decision = authorizePrsPush(updates, known, at, this.deps.domain);
      if (!decision.ok) {
        this.deps.log.info({ npub: at.pubkey, d: at.d, reason: decision.reason }, 'prs push rejected');
        return { decision, finish: async () => {}, release: () => { release(); void this.#removeIfEmpty(dir); } };
      }
      return {
        decision,
        finish: async () => {
          const refs = await cli.listRefs(dir);
          const landed = updates.filter((u) => refs.get(u.ref) === u.new);
          const placeholders = landed.map((u) => eventIdOfRef(u.ref)!).filter((id) => !known.has(id));
          if (placeholders.length > 0) recordPrRefs(dir, placeholders, this.deps.now());
          release();
          for (const u of landed) {
            const ev = known.get(eventIdOfRef(u.ref)!);
            if (ev) await this.#settle(ev, u.new, dir);
          }
        },
        release: () => { release(); void this.#removeIfEmpty(dir); },
      };
    } catch (e) {
      release();
      throw e;
    }
  }

  /** A PR event became known (served or held): a matching ref here settles it, a mismatching one is deleted. */
  async onEvent(event: NostrEvent): Promise<void> {
    for (const d of prsIdentifiers(event, this.deps.domain)) {
      const dir = this.dirOf(event.pubkey, d);
      if (!isRepo(dir)) continue;
      const ref = `refs/nostr/${event.id}`;
      const tip = (await cli.listRefs(dir)).get(ref);
      if (tip === undefined) continue;
      if (prsEventMismatch(event, { pubkey: event.pubkey, d }, this.deps.domain, tip) === undefined) {
        await this.#settle(event, tip, dir);
      } else {
        await this.#locks.run(dir, () => cli.updateRefs(dir, [{ ref, new: ZERO_OID }]));
        this.deps.log.info({ id: event.id, d }, 'prs ref deleted: it does not match its event');
        await this.#removeIfEmpty(dir);
      }
    }
  }

  /** Forward mirror into every hosted repo the PR names, then release the event. */
  async #settle(event: NostrEvent, tip: string, fromDir: string): Promise<void> {
    for (const repo of parsePullRequest(event).repos) {
      const target = await this.deps.hostedRepoDir(repo.pubkey, repo.d);
      if (target === undefined) continue;
      try {
        await cli.copyObjects(fromDir, target, [tip], this.deps.gitTimeoutMs);
        await this.deps.mirrored(repo.pubkey, repo.d, event.id, tip);
      } catch (err) {
        this.deps.log.warn({ id: event.id, err: (err as Error).message }, 'prs: mirroring into a hosted repo failed');
      }
    }
    await this.deps.release(event.id);
  }

  /** Placeholder refs whose event never came are removed after the expiry; empty repos with them. */
  async sweep(): Promise<void> {
    const scoped = join(this.#root, 'scoped', 'repos');
    for (const dir of listRepos(scoped)) {
      await this.#locks.run(dir, () =>
        sweepStalePrRefs(dir, this.deps.now(), this.deps.placeholderExpiryMs, async (id) => (await this.deps.findPrEvent(id)) !== undefined),
      );
      await this.#removeIfEmpty(dir);
    }
  }

  async #removeIfEmpty(dir: string): Promise<void> {
    await this.#locks.run(dir, async () => {
      if (isRepo(dir) && (await cli.listRefs(dir)).size === 0) rmSync(dir, { recursive: true, force: true });
    });
  }
}

function isRepo(dir: string): boolean {
  return existsSync(join(dir, 'HEAD'));
}

function listRepos(root: string): string[] {
  const out: string[] = [];
  const entries = (p: string): string[] => {
    try {
      return readdirSync(p);
    } catch {
      return [];
    }
  };
  for (const owner of entries(root)) for (const name of entries(join(root, owner))) if (isRepo(join(root, owner, name))) out.push(join(root, owner, name));
  return out;
}
