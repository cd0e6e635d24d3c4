// `refs/nostr/<event-id>` bookkeeping (grasp-requirements.md 3.10): when each ref was first seen (a
// small JSON beside the bare repo, so expiry survives a restart), expiry of refs whose PR event never
// came, and alignment of a ref once its PR event is known. Callers hold the repo lock.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cli from './git-cli.js';
import { ZERO_OID } from './state-refs.js';

const FILE = 'graspd-nostr-refs.json';
const NOSTR_REF = /^refs\/nostr\/(.+)$/;

export function readPrRefTimes(repoDir: string): Record<string, number> {
  try {
    const v: unknown = JSON.parse(readFileSync(join(repoDir, FILE), 'utf8'));
    if (typeof v !== 'object' || v === null) return {};
    const out: Record<string, number> = {};
    for (const [k, t] of Object.entries(v)) if (typeof t === 'number') out[k] = t;
    return out;
  } catch {
    return {};
  }
}

export function writePrRefTimes(repoDir: string, times: Record<string, number>): void {
  const tmp = join(repoDir, `${FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(times));
  renameSync(tmp, join(repoDir, FILE));
}

export function recordPrRefs(repoDir: string, ids: readonly string[], now: number): void {
  const times = readPrRefTimes(repoDir);
  for (const id of ids) times[id] ??= now;
  writePrRefTimes(repoDir, times);
}

/** Deletes refs/nostr refs whose event is still unknown `expiryMs` after first seen; returns how many. */
export async function sweepStalePrRefs(
  repoDir: string, now: number, expiryMs: number, isKnownEvent: (id: string) => boolean | Promise<boolean>,
): Promise<number> {
  const times = readPrRefTimes(repoDir);
  const writes: cli.RefWrite[] = [];
  const next: Record<string, number> = {};
  for (const ref of (await cli.listRefs(repoDir)).keys()) {
    const id = NOSTR_REF.exec(ref)?.[1];
    if (id === undefined || (await isKnownEvent(id))) continue;
    const seen = times[id] ?? now;
    if (now - seen > expiryMs) writes.push({ ref, new: ZERO_OID });
    else next[id] = seen;
  }
  await cli.updateRefs(repoDir, writes);
  writePrRefTimes(repoDir, next);
  return writes.length;
}

/**
 * Once a PR event is known: a ref pointing elsewhere is deleted; a missing ref is created when the tip
 * is in the repo. Returns whether the ref now points at the tip.
 */
export async function alignPrRef(repoDir: string, eventId: string, tip: string): Promise<boolean> {
  const ref = `refs/nostr/${eventId}`;
  const current = (await cli.listRefs(repoDir)).get(ref);
  if (current === tip) return true;
  const present = (await cli.hasObjects(repoDir, [tip])).has(tip);
  if (!present && current === undefined) return false;
  await cli.updateRefs(repoDir, [{ ref, new: present ? tip : ZERO_OID }]);
  return present;
}
