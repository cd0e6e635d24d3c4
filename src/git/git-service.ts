// The git half of GRASP-01 (GRASP.md "Pushes", "Identifiers and paths"; grasp-requirements.md 3.7–3.12):
// bare repos under <dataDir>/repos, smart HTTP with push authorisation by Nostr state, HEAD following
// the state, alignment of every repo a state governs, expiry of orphan refs/nostr refs. The relay is
// reached only through GitDeps. Locks: one repo at a time (see repo-lock.ts).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nip19 } from 'nostr-tools';
import type { Logger } from '../log/logger.js';
import type { NostrEvent } from '../nostr/types.js';
import { authorizePush, sameRefs, type RefUpdate } from './authorize-push.js';
import * as cli from './git-cli.js';
import { CORS_HEADERS, handleGitRequest, sendText, type ReceiveSession } from './http-backend.js';
import { renderNotFoundPage, renderRepoPage, type RepoPageData } from './pages.js';
import { alignPrRef, readPrRefTimes, recordPrRefs, sweepStalePrRefs } from './pr-refs.js';
import {
  AddressBudget, MAX_PROVISIONAL_PER_ADDRESS, MAX_PROVISIONAL_PER_REPO, ensureProvisionalRepo, listProvisionalRepos, provisionalDir, provisionalRoot, removeIfEmpty,
} from './provisional.js';
import { KeyedMutex, type SharedLock } from './repo-lock.js';
import type { RateRule } from './spool.js';
import { Slots } from './slots.js';
import { countPushAuthorization, recordGitRequest } from './metrics.js';
import { parseGitPath, repoDir, reposRoot } from './repo-paths.js';
import { ZERO_OID, headAfter, isHeadOrTag, parseState, prTip, type AuthorisedState } from './state-refs.js';

export interface GitDeps {
  dataDir: string;
  gitTimeoutMs: number;
  gitMaxBodyBytes: number;
  /** provisional refs/nostr refs per client address are counted over this window (the purgatory expiry) */
  provisionalWindowMs?: number;
  /** git HTTP requests served at once (the rest queue briefly, then 503) */
  gitMaxRequests?: number;
  /** a push body slower than this (after the grace period) is cut; 0 = no minimum */
  gitMinTransferBytesPerSecond?: number;
  gitTransferGraceMs?: number;
  domain: string;
  tls: boolean;
  log: Logger;
  /** candidate authorised state events for repo (owner, d), newest first, served and purgatory, authors in the maintainer set */
  authorisedStates(ownerPubkey: string, d: string): Promise<NostrEvent[]>;
  /** PR (1618) / PR-update (1619) event by id if known (served or purgatory) */
  findPrEvent(id: string): Promise<NostrEvent | undefined>;
  /** after an accepted push changed refs: release from purgatory and broadcast */
  onPushAccepted(info: { ownerPubkey: string; d: string; state?: NostrEvent; prRefs: Array<{ eventId: string; oid: string }> }): Promise<void>;
  /** repos on this server for which the state is authoritative (same d, owner's maintainer set contains the author) */
  reposGovernedBy(state: NostrEvent): Promise<Array<{ ownerPubkey: string; d: string }>>;
  /** name/description for the repo page, from the announcement */
  repoMeta?(ownerPubkey: string, d: string): Promise<{ name?: string; description?: string } | undefined>;
  /** several instances share the data directory: repository locks must hold across them */
  sharedLock?: SharedLock;
  /** push bodies are received under <dataDir>/tmp/<this> (instances sharing a data dir each keep their own) */
  spoolName?: string;
  /** clock for refs/nostr bookkeeping (default Date.now) */
  now?(): number;
  /** the client's address (X-Forwarded-For from a --trusted-proxy), for per-address budgets */
  clientAddress?(req: IncomingMessage): string;
}

type PrRef = { eventId: string; oid: string };

export class GitService {
  readonly #deps: GitDeps;
  readonly #locks: KeyedMutex;
  /** shared by every git HTTP endpoint of this server (also /prs/) */
  readonly requestSlots: Slots;
  readonly #provisionalBudget: AddressBudget;
  #onChanged: ((dir: string) => void) | undefined;

  constructor(deps: GitDeps) {
    this.#deps = deps;
    this.#locks = new KeyedMutex(deps.sharedLock);
    this.requestSlots = new Slots(deps.gitMaxRequests ?? 64);
    this.#provisionalBudget = new AddressBudget(MAX_PROVISIONAL_PER_ADDRESS, deps.provisionalWindowMs ?? 1_800_000);
  }

  /** where push bodies are received before the repository lock is taken */
  get spoolDir(): string {
    return this.#deps.spoolName === undefined ? join(this.#deps.dataDir, 'tmp') : join(this.#deps.dataDir, 'tmp', this.#deps.spoolName);
  }

  get transferRate(): RateRule {
    return { minBytesPerSecond: this.#deps.gitMinTransferBytesPerSecond ?? 0, graceMs: this.#deps.gitTransferGraceMs ?? 20_000 };
  }

  /** Spool files of pushes interrupted by a crash. */
  removeStaleSpools(): void {
    rmSync(this.spoolDir, { recursive: true, force: true });
  }

  /** Runs fn holding the repo's lock (background maintenance; pushes and alignments take the same lock). */
  withRepoLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(dir, fn);
  }

  /** Called with the repo dir after its refs or objects changed (push, alignment, noteFetched). */
  onRepoChanged(listener: (dir: string) => void): void {
    this.#onChanged = listener;
  }

  /** git data was fetched into (owner, d) by the gitfetch side. */
  noteFetched(ownerPubkey: string, d: string): void {
    this.#onChanged?.(this.repoDir(ownerPubkey, d));
  }

  repoDir(ownerPubkey: string, d: string): string {
    return repoDir(this.#deps.dataDir, ownerPubkey, d);
  }

  cloneUrl(ownerPubkey: string, d: string): string {
    return `${this.#deps.tls ? 'https' : 'http'}://${this.#deps.domain}/${nip19.npubEncode(ownerPubkey)}/${encodeURIComponent(d)}.git`;
  }

  async repoExists(ownerPubkey: string, d: string): Promise<boolean> {
    return isRepo(this.repoDir(ownerPubkey, d));
  }

  /** Creates the bare repo if missing (idempotent, safe under concurrency). */
  async ensureRepo(ownerPubkey: string, d: string): Promise<void> {
    const dir = this.repoDir(ownerPubkey, d);
    if (isRepo(dir)) return;
    await this.#locks.run(dir, async () => {
      if (isRepo(dir)) return;
      mkdirSync(dirname(dir), { recursive: true });
      await cli.initBareRepo(dir);
      this.#deps.log.info({ owner: ownerPubkey, d }, 'git repo created');
    });
  }

  /** Deletes the bare repo of (owner, d) (an announcement that never got git data left); false when absent. */
  async removeRepo(ownerPubkey: string, d: string): Promise<boolean> {
    const dir = this.repoDir(ownerPubkey, d);
    return this.#locks.run(dir, async () => {
      if (!isRepo(dir)) return false;
      rmSync(dir, { recursive: true, force: true });
      this.#deps.log.info({ owner: ownerPubkey, d }, 'git repo removed: its announcement expired without git data');
      return true;
    });
  }

  /** true when every oid is present in the repo's object database */
  async hasCommits(ownerPubkey: string, d: string, oids: readonly string[]): Promise<boolean> {
    const dir = this.repoDir(ownerPubkey, d);
    if (!isRepo(dir)) return false;
    const present = await cli.hasObjects(dir, oids);
    return oids.every((o) => present.has(o));
  }

  async listRefs(ownerPubkey: string, d: string): Promise<Map<string, string>> {
    const dir = this.repoDir(ownerPubkey, d);
    return isRepo(dir) ? cli.listRefs(dir) : new Map();
  }

  async repoPage(ownerPubkey: string, d: string, meta: { name?: string; description?: string } = {}): Promise<RepoPageData | undefined> {
    const dir = this.repoDir(ownerPubkey, d);
    if (!isRepo(dir)) return undefined;
    const refs = [...(await cli.listRefs(dir))].map(([ref, oid]) => ({ ref, oid })).sort((a, b) => a.ref.localeCompare(b.ref));
    const head = await cli.getHead(dir);
    return { npub: nip19.npubEncode(ownerPubkey), d, ...meta, cloneUrl: this.cloneUrl(ownerPubkey, d), refs, ...(head ? { head } : {}) };
  }

  /** Serves `/<npub>/<d>.git[/…]`; false when the path is not a git path at all. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const route = parseGitPath(req.url ?? '/');
    if ('error' in route) {
      if (!route.gitPath) return false;
      sendHtml(res, route.error, renderNotFoundPage(route.error === 400 ? 'Bad request path' : 'Not found'));
      return true;
    }
    const dir = this.repoDir(route.pubkey, route.d);
    if (route.service === 'page') {
      const meta = (await this.#deps.repoMeta?.(route.pubkey, route.d)) ?? {};
      const page = await this.repoPage(route.pubkey, route.d, meta);
      if (page === undefined) sendHtml(res, 404, renderNotFoundPage('Repository not found'));
      else sendHtml(res, 200, renderRepoPage(page));
      return true;
    }
    if (!isRepo(dir)) {
      sendText(res, 404, 'repository not found');
      return true;
    }
    const { gitTimeoutMs: timeoutMs, gitMaxBodyBytes: maxBodyBytes, log } = this.#deps;
    await handleGitRequest(req, res, { endpoint: route.service, dir }, {
      timeoutMs, maxBodyBytes, log, spoolDir: this.spoolDir, rate: this.transferRate, requestSlots: this.requestSlots,
      observe: recordGitRequest,
      receive: { begin: (updates) => this.#beginPush(route.pubkey, route.d, dir, updates, this.#deps.clientAddress?.(req) ?? req.socket.remoteAddress ?? 'unknown') },
    });
    return true;
  }

  async #beginPush(owner: string, d: string, dir: string, updates: RefUpdate[], address: string): Promise<ReceiveSession> {
    const release = await this.#locks.acquire(dir);
    try {
      const events = await this.#deps.authorisedStates(owner, d);
      const states = events.map(parseState).filter((s): s is AuthorisedState => s !== undefined);
      const prTips = new Map<string, string | undefined>();
      for (const u of updates) {
        const id = /^refs\/nostr\/([0-9a-f]{64})$/.exec(u.ref)?.[1];
        const ev = id ? await this.#deps.findPrEvent(id) : undefined;
        if (id && ev) prTips.set(id, prTip(ev));
      }
      const provisional = updates.filter((u) => /^refs\/nostr\/[0-9a-f]{64}$/.test(u.ref) && !prTips.has(u.ref.slice('refs/nostr/'.length)));
      if (provisional.length > 0) return await this.#beginProvisional(owner, d, dir, updates, provisional.length, address, release);
      const current = await cli.listRefs(dir);
      const decision = authorizePush({ current, updates, states, prTips });
      countPushAuthorization(decision.type === 'reject' ? 'rejected' : 'accepted');
      if (decision.type === 'reject') {
        this.#deps.log.info({ owner, d, reason: decision.reason }, 'push rejected');
        return { decision: { ok: false, reason: decision.reason }, finish: async () => {}, release };
      }
      const stateEvent = events.find((e) => e.id === decision.state?.id);
      return {
        decision: { ok: true },
        finish: (code) => this.#afterPush(owner, d, dir, { state: decision.state, stateEvent, prRefs: decision.prRefs, code, release }),
        release,
      };
    } catch (e) {
      release();
      throw e;
    }
  }

  /** A push of refs/nostr refs whose PR events are not known yet: bounded, and received into the provisional repo. */
  async #beginProvisional(owner: string, d: string, dir: string, updates: RefUpdate[], count: number, address: string, release: () => void): Promise<ReceiveSession> {
    const refuse = (reason: string): ReceiveSession => {
      countPushAuthorization('rejected');
      this.#deps.log.info({ owner, d, reason }, 'push rejected');
      return { decision: { ok: false, reason }, finish: async () => {}, release };
    };
    if (count !== updates.length) {
      return refuse('refs/nostr refs of PR events not published yet wait apart until the event arrives: push them on their own');
    }
    const side = provisionalDir(this.#deps.dataDir, owner, d);
    const current = isRepo(side) ? await cli.listRefs(side) : new Map<string, string>();
    const decision = authorizePush({ current, updates, states: [], prTips: new Map() });
    if (decision.type === 'reject') return refuse(decision.reason);
    const created = updates.filter((u) => !current.has(u.ref)).length;
    if (current.size + created > MAX_PROVISIONAL_PER_REPO) {
      return refuse(`too many refs/nostr refs wait for their PR event in this repository (max ${MAX_PROVISIONAL_PER_REPO}); publish the PR events first`);
    }
    const now = this.#deps.now?.() ?? Date.now();
    if (created > this.#provisionalBudget.remaining(address, now)) {
      return refuse(`too many refs/nostr refs without a PR event from your address (max ${MAX_PROVISIONAL_PER_ADDRESS}); publish the PR events first`);
    }
    await ensureProvisionalRepo(side, dir);
    countPushAuthorization('provisional');
    return {
      decision: { ok: true },
      dir: side,
      finish: async () => {
        const refs = await cli.listRefs(side);
        const landed = updates.filter((u) => refs.get(u.ref) === u.new).map((u) => u.ref.slice('refs/nostr/'.length));
        if (landed.length > 0) recordPrRefs(side, landed, now);
        this.#provisionalBudget.record(address, created, now);
        this.#deps.log.info({ owner, d, refs: landed.length }, 'provisional refs/nostr refs received (held apart until their PR event)');
      },
      release: () => {
        release();
        void this.#locks.run(dir, () => removeIfEmpty(side)).catch(() => undefined);
      },
    };
  }

  /** Runs with the repo lock held; releases it before touching other repos. */
  async #afterPush(owner: string, d: string, dir: string, p: {
    state: AuthorisedState | undefined; stateEvent: NostrEvent | undefined; prRefs: PrRef[]; code: number | null; release: () => void;
  }): Promise<void> {
    const log = this.#deps.log;
    try {
      const refs = await cli.listRefs(dir);
      const heads = new Map([...refs].filter(([r]) => isHeadOrTag(r)));
      const stateApplied = p.state !== undefined && sameRefs(heads, p.state.refs);
      if (stateApplied && p.state) await this.#followHead(dir, p.state);
      const prRefs = p.prRefs.filter((r) => refs.get(`refs/nostr/${r.eventId}`) === r.oid);
      if (prRefs.length > 0) recordPrRefs(dir, prRefs.map((r) => r.eventId), this.#deps.now?.() ?? Date.now());
      p.release();
      if (!stateApplied && prRefs.length === 0) {
        log.info({ owner, d, code: p.code }, 'push authorised but refs unchanged');
        return;
      }
      log.info({ owner, d, state: stateApplied ? p.state?.id : undefined, prRefs: prRefs.length }, 'push accepted');
      this.#onChanged?.(dir);
      if (stateApplied && p.state && p.stateEvent) await this.#alignGoverned(p.stateEvent, p.state, dir, dir);
      await this.#deps.onPushAccepted({ ownerPubkey: owner, d, ...(stateApplied && p.stateEvent ? { state: p.stateEvent } : {}), prRefs });
    } catch (e) {
      log.error({ owner, d, err: (e as Error).message }, 'after-push processing failed');
    } finally {
      p.release();
    }
  }

  /**
   * Applies a state server-side when its objects are on this server: sets heads/tags exactly and HEAD in
   * every repo the state governs, copying objects between repos. Returns whether it was applied.
   */
  async applyState(state: NostrEvent): Promise<boolean> {
    const st = parseState(state);
    const d = state.tags.find((t) => t[0] === 'd')?.[1];
    if (st === undefined || d === undefined || d === '') return false;
    const governed = (await this.#deps.reposGovernedBy(state)).map((r) => this.repoDir(r.ownerPubkey, r.d)).filter(isRepo);
    if (governed.length === 0) return false;
    const candidates = [...governed, this.repoDir(state.pubkey, d)].filter(isRepo);
    const oids = [...new Set(st.refs.values())];
    let source: string | undefined;
    for (const dir of candidates) {
      const present = await cli.hasObjects(dir, oids);
      if (oids.every((o) => present.has(o))) { source = dir; break; }
    }
    if (source === undefined) return false;
    await this.#alignGoverned(state, st, source, undefined, governed);
    return true;
  }

  async #alignGoverned(ev: NostrEvent, st: AuthorisedState, source: string, skip?: string, dirs?: string[]): Promise<void> {
    const targets = dirs ?? (await this.#deps.reposGovernedBy(ev)).map((r) => this.repoDir(r.ownerPubkey, r.d)).filter(isRepo);
    for (const dir of targets) {
      if (dir === skip) continue;
      try {
        await this.#locks.run(dir, () => this.#alignRepo(dir, st, source));
        this.#onChanged?.(dir);
      } catch (e) {
        this.#deps.log.warn({ dir, state: ev.id, err: (e as Error).message }, 'aligning repo to state failed');
      }
    }
  }

  async #alignRepo(dir: string, st: AuthorisedState, source: string): Promise<void> {
    const oids = [...new Set(st.refs.values())];
    const present = await cli.hasObjects(dir, oids);
    const missing = oids.filter((o) => !present.has(o));
    if (missing.length > 0) await cli.copyObjects(source, dir, missing, this.#deps.gitTimeoutMs);
    const current = await cli.listRefs(dir);
    const writes: cli.RefWrite[] = [];
    for (const ref of current.keys()) if (isHeadOrTag(ref) && !st.refs.has(ref)) writes.push({ ref, new: ZERO_OID });
    for (const [ref, oid] of st.refs) if (current.get(ref) !== oid) writes.push({ ref, new: oid });
    await cli.updateRefs(dir, writes);
    await this.#followHead(dir, st);
  }

  async #followHead(dir: string, st: AuthorisedState): Promise<void> {
    const head = headAfter(st, await cli.getHead(dir));
    if (head !== undefined) await cli.setHead(dir, head);
  }

  /**
   * Deletes `refs/nostr/<id>` refs whose event is still unknown `expiryMs` after they were first seen: in the
   * provisional repositories (emptied ones are deleted, objects and all), and in repos that still list pending
   * refs in their ledger. Repos with nothing pending are not touched (no git run per hosted repo).
   */
  async removeStalePrRefs(now: number, expiryMs: number, isKnownEvent: (id: string) => boolean | Promise<boolean>): Promise<number> {
    let removed = 0;
    for (const side of listProvisionalRepos(this.#deps.dataDir)) {
      // same lock as pushes into it: the repo it belongs to
      const main = join(this.#deps.dataDir, relative(provisionalRoot(this.#deps.dataDir), side));
      removed += await this.#locks.run(main, async () => {
        const n = await sweepStalePrRefs(side, now, expiryMs, isKnownEvent);
        await removeIfEmpty(side);
        return n;
      });
    }
    for (const dir of listRepoDirs(reposRoot(this.#deps.dataDir))) {
      if (Object.keys(readPrRefTimes(dir)).length === 0) continue;
      removed += await this.#locks.run(dir, () => sweepStalePrRefs(dir, now, expiryMs, isKnownEvent));
    }
    return removed;
  }

  /**
   * A PR / PR-update event became known: its `refs/nostr/<id>` in this repo must equal its `c` tip
   * (a mismatching provisional ref is deleted; a missing one is created when the tip is here).
   * Returns whether the ref now points at the tip.
   */
  async alignPrRef(ownerPubkey: string, d: string, eventId: string, tip: string): Promise<boolean> {
    const dir = this.repoDir(ownerPubkey, d);
    if (!isRepo(dir) || !/^[0-9a-f]{64}$/.test(eventId) || !/^[0-9a-f]{40}$/.test(tip)) return false;
    return this.#locks.run(dir, async () => {
      // a provisional ref for this event: its objects move in when it matches the event, it goes either way
      const side = provisionalDir(this.#deps.dataDir, ownerPubkey, d);
      const ref = `refs/nostr/${eventId}`;
      const held = isRepo(side) ? (await cli.listRefs(side)).get(ref) : undefined;
      if (held !== undefined) {
        if (held === tip) await cli.copyObjects(side, dir, [tip], this.#deps.gitTimeoutMs);
        await cli.updateRefs(side, [{ ref, new: ZERO_OID }]);
        await removeIfEmpty(side);
      }
      return alignPrRef(dir, eventId, tip);
    });
  }
}

function isRepo(dir: string): boolean {
  return existsSync(join(dir, 'HEAD'));
}

function listRepoDirs(root: string): string[] {
  const out: string[] = [];
  const entries = (p: string): string[] => { try { return readdirSync(p); } catch { return []; } };
  for (const owner of entries(root)) {
    for (const name of entries(join(root, owner))) {
      const dir = join(root, owner, name);
      if (name.endsWith('.git') && statSync(dir).isDirectory() && isRepo(dir)) out.push(dir);
    }
  }
  return out;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...CORS_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(html);
}
