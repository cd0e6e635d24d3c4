// Wires GRASP-06 into the server when --grasp06 is on: the /prs/ handler, PR events as they are accepted, and the
// placeholder sweep. Off: nothing is created and /prs/ stays a 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import { KIND_PR, KIND_PR_UPDATE } from '../nostr/kinds.js';
import type { NostrEvent } from '../nostr/types.js';
import type { Purgatory } from '../purgatory/types.js';
import type { EventStore } from '../store/types.js';
import type { Ingest } from '../relay/ingest.js';
import type { RepoLifecycle } from '../app/repo-lifecycle.js';
import { PrsService } from './prs-service.js';

export interface Grasp06 {
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  stop(): void;
}

export async function startGrasp06(deps: {
  config: Config; store: EventStore; purgatory: Purgatory; ingest: Ingest; lifecycle: RepoLifecycle; log: Logger; now: () => number;
}): Promise<Grasp06> {
  const { config, store, purgatory, ingest, lifecycle, log, now } = deps;
  const isPr = (e: NostrEvent | undefined): e is NostrEvent => e !== undefined && (e.kind === KIND_PR || e.kind === KIND_PR_UPDATE);
  const prs = new PrsService({
    dataDir: config.dataDir,
    domain: config.domain,
    gitTimeoutMs: config.gitTimeoutMs,
    gitMaxBodyBytes: config.gitMaxBodyBytes,
    placeholderExpiryMs: config.purgatoryExpiryMs,
    rate: lifecycle.git.transferRate,
    requestSlots: lifecycle.git.requestSlots,
    log,
    now,
    findPrEvent: async (id) => {
      const held = purgatory.get(id)?.event;
      const e = held ?? (await store.query([{ ids: [id] }]))[0];
      return isPr(e) ? e : undefined;
    },
    hostedRepoDir: async (owner, d) => ((await lifecycle.git.repoExists(owner, d)) ? lifecycle.git.repoDir(owner, d) : undefined),
    mirrored: async (owner, d, eventId, tip) => {
      await lifecycle.git.alignPrRef(owner, d, eventId, tip);
      await lifecycle.onPushAccepted({ ownerPubkey: owner, d, prRefs: [{ eventId, oid: tip }] });
    },
    release: async (id) => {
      if (purgatory.has(id)) await ingest.release(id);
    },
  });
  await prs.start();
  ingest.onAccepted(async (event, info) => {
    if (isPr(event) && info.elsewhere !== true) await prs.onEvent(event);
  });
  const every = Math.max(250, Math.min(60_000, Math.floor(config.purgatoryExpiryMs / 4)));
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    prs.sweep().catch((err: unknown) => log.error({ err }, 'prs sweep failed')).finally(() => (sweeping = false));
  }, every);
  timer.unref();
  return { handle: (req, res) => prs.handle(req, res), stop: () => clearInterval(timer) };
}
