// Glue between accepted events and git repositories (GRASP-01): creates a bare repo for each accepted
// announcement, applies states whose commits are present, and releases purgatory entries once a push
// (or a git fetch) brought their data. The git module itself knows nothing about the relay.
import type { SharedLock } from '../git/repo-lock.js';
import { clientAddressResolver } from '../http/client-address.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nip19 } from 'nostr-tools';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { KIND_PR, KIND_PR_UPDATE, KIND_REPO_ANNOUNCEMENT, KIND_REPO_STATE } from '../nostr/kinds.js';
import { identifierOf, parseAnnouncement, parsePullRequest, parseState } from '../nostr/nip34.js';
import { isArchived, isHosted } from '../policy/archive.js';
import { hostingScope } from './hosting.js';
import { maintainerSet } from '../policy/maintainers.js';
import type { EventStore } from '../store/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { Ingest } from '../relay/ingest.js';
import { GitService } from '../git/git-service.js';
import { migrateRepoDirNames, reposRoot } from '../git/repo-paths.js';

export interface LifecycleDeps {
  config: Config;
  store: EventStore;
  purgatory: Purgatory;
  log: Logger;
  now: () => number;
  /** several instances share the data directory (--database-url) */
  cluster?: { sharedLock: SharedLock; spoolName: string };
}

const ALL = 1_000_000;

export class RepoLifecycle {
  readonly git: GitService;
  private ingest?: Ingest;
  private readonly hosting;

  constructor(private readonly deps: LifecycleDeps) {
    const { config, log } = deps;
    this.hosting = hostingScope(config);
    this.git = new GitService({
      dataDir: config.dataDir,
      gitTimeoutMs: config.gitTimeoutMs,
      gitMaxBodyBytes: config.gitMaxBodyBytes,
      gitMinTransferBytesPerSecond: config.gitMinTransferBytesPerSecond,
      gitTransferGraceMs: config.gitTransferGraceMs,
      gitMaxRequests: config.gitMaxRequests,
      provisionalWindowMs: config.purgatoryExpiryMs,
      domain: config.domain,
      tls: config.tls,
      log,
      now: deps.now,
      clientAddress: clientAddressResolver(config.trustedProxy),
      ...(deps.cluster ? { sharedLock: deps.cluster.sharedLock, spoolName: deps.cluster.spoolName } : {}),
      authorisedStates: (owner, d) => this.authorisedStates(owner, d),
      findPrEvent: (id) => this.findPrEvent(id),
      onPushAccepted: (info) => this.onPushAccepted(info),
      reposGovernedBy: (state) => this.reposGovernedBy(state),
      repoMeta: (owner, d) => this.repoMeta(owner, d),
    });
    this.git.removeStaleSpools();
    const renamed = migrateRepoDirNames(reposRoot(config.dataDir));
    if (renamed > 0) log.info({ renamed }, 'repository directories renamed to the case-safe naming');
  }

  attach(ingest: Ingest): void {
    this.ingest = ingest;
    ingest.onAccepted(async (event, info) => {
      if (info.elsewhere === true) return; // the instance that accepted it did the git work
      if (event.kind === KIND_REPO_ANNOUNCEMENT) {
        const ann = parseAnnouncement(event);
        if (isHosted(this.hosting, ann)) await this.git.ensureRepo(event.pubkey, ann.d);
      } else if (event.kind === KIND_REPO_STATE && info.served) {
        await this.git.applyState(event);
      } else if (event.kind === KIND_PR || event.kind === KIND_PR_UPDATE) {
        await this.alignPrRefs(event);
      }
    });
  }

  /** refs/nostr/<id> in every repo the PR names: set to its `c` tip when present, a provisional ref to another commit is deleted. */
  private async alignPrRefs(event: NostrEvent): Promise<void> {
    const pr = parsePullRequest(event);
    if (!pr.commit) return;
    for (const repo of pr.repos) await this.git.alignPrRef(repo.pubkey, repo.d, event.id, pr.commit);
  }

  hasCommits(owner: string, d: string, oids: string[]): Promise<boolean> {
    return this.git.hasCommits(owner, d, oids);
  }

  handleGit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return this.git.handle(req, res);
  }

  /** Served and live-purgatory announcements with identifier d. */
  async announcementsFor(d: string): Promise<NostrEvent[]> {
    const served = await this.deps.store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT], '#d': [d] }], { maxLimit: ALL });
    const held = this.deps.purgatory.lookup({ identifier: { d, kinds: [KIND_REPO_ANNOUNCEMENT] } }, this.deps.now()).map((e) => e.event);
    return [...served, ...held];
  }

  async authorisedStates(owner: string, d: string): Promise<NostrEvent[]> {
    const maintainers = maintainerSet(owner, d, await this.announcementsFor(d));
    const served = await this.deps.store.query([{ kinds: [KIND_REPO_STATE], '#d': [d], authors: [...maintainers] }], { maxLimit: ALL });
    const held = this.deps.purgatory
      .lookup({ identifier: { d, kinds: [KIND_REPO_STATE] } }, this.deps.now())
      .map((e) => e.event)
      .filter((e) => maintainers.has(e.pubkey));
    return [...served, ...held].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
  }

  private async findPrEvent(id: string): Promise<NostrEvent | undefined> {
    const held = this.deps.purgatory.get(id)?.event;
    const e = held ?? (await this.deps.store.query([{ ids: [id] }]))[0];
    return e && (e.kind === KIND_PR || e.kind === KIND_PR_UPDATE) ? e : undefined;
  }

  async reposGovernedBy(state: NostrEvent): Promise<Array<{ ownerPubkey: string; d: string }>> {
    const d = identifierOf(state);
    const anns = await this.announcementsFor(d);
    const owners = new Set(anns.map((a) => a.pubkey));
    const out: Array<{ ownerPubkey: string; d: string }> = [];
    for (const owner of owners) {
      if (maintainerSet(owner, d, anns).has(state.pubkey) && (await this.git.repoExists(owner, d))) out.push({ ownerPubkey: owner, d });
    }
    return out;
  }

  private async repoMeta(owner: string, d: string): Promise<{ name?: string; description?: string } | undefined> {
    const ann = (await this.announcementsFor(d)).find((a) => a.pubkey === owner);
    if (!ann) return undefined;
    const p = parseAnnouncement(ann);
    return { ...(p.name ? { name: p.name } : {}), ...(p.description ? { description: p.description } : {}) };
  }

  /** After git data arrived for (owner, d): release what it satisfies from purgatory. */
  async onPushAccepted(info: { ownerPubkey: string; d: string; state?: NostrEvent; prRefs: Array<{ eventId: string; oid: string }> }): Promise<void> {
    const ingest = this.ingest;
    if (!ingest) return;
    if (info.state) {
      if (this.deps.purgatory.has(info.state.id)) await ingest.release(info.state.id);
      await this.releaseAnnouncements(info.ownerPubkey, info.d);
    }
    for (const pr of info.prRefs) {
      const e = this.deps.purgatory.get(pr.eventId)?.event;
      if (e && parsePullRequest(e).commit === pr.oid) await ingest.release(pr.eventId);
    }
    await this.releaseSatisfied(info.ownerPubkey, info.d);
  }

  /** The announcements of owner's maintainer set leave purgatory with the repo's first state. */
  private async releaseAnnouncements(owner: string, d: string): Promise<void> {
    const ingest = this.ingest;
    if (!ingest) return;
    const anns = await this.announcementsFor(d);
    const maintainers = maintainerSet(owner, d, anns);
    for (const a of anns) if (maintainers.has(a.pubkey) && this.deps.purgatory.has(a.id)) await ingest.release(a.id);
  }

  /** Re-checks purgatory states and PRs of identifier d against the git data now present. */
  async releaseSatisfied(owner: string, d: string): Promise<void> {
    const ingest = this.ingest;
    if (!ingest) return;
    const coordinates = [...new Set((await this.announcementsFor(d)).map((a) => `${KIND_REPO_ANNOUNCEMENT}:${a.pubkey}:${d}`))];
    const candidates = this.deps.purgatory.lookup({ identifier: { d, kinds: [KIND_REPO_STATE] }, referencing: coordinates }, this.deps.now());
    for (const entry of candidates) {
      const e = entry.event;
      if (e.kind === KIND_REPO_STATE && identifierOf(e) === d) {
        const oids = [...parseState(e).refs.values()];
        if (oids.length > 0 && (await this.git.hasCommits(owner, d, oids))) {
          const governed = await this.reposGovernedBy(e);
          if (governed.some((g) => g.ownerPubkey === owner)) {
            await ingest.release(e.id);
            await this.releaseAnnouncements(owner, d);
          }
        }
      } else if (e.kind === KIND_PR || e.kind === KIND_PR_UPDATE) {
        const pr = parsePullRequest(e);
        if (pr.commit && pr.repos.some((r) => r.d === d) && (await this.git.hasCommits(owner, d, [pr.commit]))) await ingest.release(e.id);
      }
    }
  }

  /** GRASP-05: the owner's newest announcement (served or held) of d does not list this service. */
  async isArchivedRepo(owner: string, d: string): Promise<boolean> {
    const own = (await this.announcementsFor(d)).filter((a) => a.pubkey === owner).sort((a, b) => b.created_at - a.created_at)[0];
    return own !== undefined && isArchived(this.hosting, parseAnnouncement(own));
  }

  /**
   * Announcements that left purgatory without ever getting git data leave nothing behind: their bare repo goes,
   * unless another version of that announcement is served or still held.
   */
  async removeAbandonedRepos(gone: readonly NostrEvent[]): Promise<number> {
    let removed = 0;
    for (const e of gone) {
      if (e.kind !== KIND_REPO_ANNOUNCEMENT) continue;
      const d = identifierOf(e);
      const served = await this.deps.store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT], authors: [e.pubkey], '#d': [d], limit: 1 }]);
      if (served.length > 0 || this.deps.purgatory.lookup({ addresses: [`${KIND_REPO_ANNOUNCEMENT}:${e.pubkey}:${d}`] }).length > 0) continue;
      if (await this.git.removeRepo(e.pubkey, d)) removed++;
    }
    return removed;
  }

  async listRepos(): Promise<Array<{ npub: string; d: string; name?: string; description?: string }>> {
    const anns = await this.deps.store.query([{ kinds: [KIND_REPO_ANNOUNCEMENT] }], { maxLimit: 500 });
    return anns
      .map(parseAnnouncement)
      .filter((a) => isHosted(this.hosting, a))
      .map((a) => ({ npub: nip19.npubEncode(a.pubkey), d: a.d, ...(a.name ? { name: a.name } : {}), ...(a.description ? { description: a.description } : {}) }));
  }

  async sweep(now: number): Promise<void> {
    await this.git.removeStalePrRefs(now, this.deps.config.purgatoryExpiryMs, async (id) => (await this.findPrEvent(id)) !== undefined);
  }

  async close(): Promise<void> {
    // git children are reaped by the http layer; nothing persistent to flush here
  }
}
