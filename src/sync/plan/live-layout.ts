// Live coverage of one remote relay (SYNC.md "Consolidation", invariant 6): every confirmed or pending
// item stays covered by a live filter at any size. Items sit in stable chunks of 100 values per layer;
// a chunk's filters live in a fixed slot (one REQ), so adding an item re-sends one slot, never all of
// them. When the exact layout would pass the relay's capacity (filters or subscriptions), whole layers
// are widened — root-event replies first, then repo coordinates, then state — to one broad filter by
// kind, and admission drops what is not ours: coverage degrades in width, never in coverage.
// Live filters always carry limit 0, never `since` (a since would also drop back-dated events published
// later); where a swap leaves a gap (close before open, or a filter the remote CLOSEd), the plan asks for
// a short historic catch-up of the new filters instead.
// Pure and incremental: planning costs work proportional to the chunks that changed.
import type { NostrFilter } from '../../nostr/types.js';
import {
  KIND_COMMENT, KIND_DELETION, KIND_ISSUE, KIND_PATCH, KIND_PR, KIND_PR_UPDATE, KIND_REPO_STATE,
  KIND_STATUS_APPLIED, KIND_STATUS_CLOSED, KIND_STATUS_DRAFT, KIND_STATUS_OPEN,
} from '../../nostr/kinds.js';
import type { RelayNeeds, RepoKey } from './types.js';
import { deletionsFilter, FILTER_CHUNK, identifierOf, layer1Filter } from './filters.js';

export type LayerName = 'state' | 'coords' | 'roots';
/** widening order: the most numerous layer first */
export const WIDEN_ORDER: readonly LayerName[] = ['roots', 'coords', 'state'];

/** What repo coordinates and root events are tagged by, when a layer is widened to kinds. */
export const WIDE_KINDS: readonly number[] = [
  KIND_DELETION, KIND_COMMENT, KIND_PATCH, KIND_PR, KIND_PR_UPDATE, KIND_ISSUE,
  KIND_STATUS_OPEN, KIND_STATUS_APPLIED, KIND_STATUS_CLOSED, KIND_STATUS_DRAFT,
];

/** Narrow a widened layer again only when the exact layout fits this share of the capacity. */
const NARROW_AT = 0.8;

interface ChunkList {
  chunks: Set<string>[];
  where: Map<string, number>;
  /** chunk indices that may have room (checked lazily) */
  room: number[];
  /** chunks holding at least one value */
  nonEmpty: number;
  /** chunks changed since the last plan */
  dirty: Set<number>;
}

export interface LiveSlot {
  subId: string;
  /** as sent (limit 0) */
  filters: NostrFilter[];
}

interface OpenSlot extends LiveSlot {
  /** the filters without limit, to tell whether a slot changed */
  base: string;
}

export interface LiveLayout {
  layers: Record<LayerName, ChunkList>;
  wide: Set<LayerName>;
  /** open subscriptions by slot key ('l1', 'wide', '<layer>:<n>') */
  slots: Map<string, OpenSlot>;
  /** filters per REQ the slots were packed with (a change repacks everything) */
  packedWith?: number;
  /** every slot must be (re)opened: after connect, or when the packing changed */
  reopen: boolean;
  /** unix seconds since when some items may have had no open filter (a CLOSEd slot) */
  gapSince?: number;
}

export function emptyLayout(): LiveLayout {
  const list = (): ChunkList => ({ chunks: [], where: new Map(), room: [], nonEmpty: 0, dirty: new Set() });
  return { layers: { state: list(), coords: list(), roots: list() }, wide: new Set(), slots: new Map(), reopen: true };
}

const FILTERS_PER_CHUNK: Record<LayerName, number> = { state: 1, coords: 3, roots: 3 };

function addValue(l: ChunkList, v: string): void {
  if (l.where.has(v)) return;
  let i: number | undefined;
  while (l.room.length > 0) {
    const c = l.room[l.room.length - 1]!;
    if (l.chunks[c]!.size < FILTER_CHUNK) {
      i = c;
      break;
    }
    l.room.pop();
  }
  if (i === undefined) {
    i = l.chunks.length;
    l.chunks.push(new Set());
    l.room.push(i);
  }
  const chunk = l.chunks[i]!;
  if (chunk.size === 0) l.nonEmpty++;
  chunk.add(v);
  l.where.set(v, i);
  l.dirty.add(i);
}

function removeValue(l: ChunkList, v: string): void {
  const i = l.where.get(v);
  if (i === undefined) return;
  const chunk = l.chunks[i]!;
  chunk.delete(v);
  l.where.delete(v);
  if (chunk.size === 0) l.nonEmpty--;
  if (chunk.size === FILTER_CHUNK - 1) l.room.push(i);
  l.dirty.add(i);
}

/** Items now covered live (confirmed or pending). */
export function layoutAdd(l: LiveLayout, items: RelayNeeds): void {
  for (const repo of items.repos) {
    addValue(l.layers.state, repo);
    if (!items.stateOnly.has(repo)) addValue(l.layers.coords, repo);
  }
  for (const id of items.rootEvents) addValue(l.layers.roots, id);
}

/** Items no longer wanted on this relay. */
export function layoutRemove(l: LiveLayout, items: RelayNeeds): void {
  for (const repo of items.repos) {
    removeValue(l.layers.state, repo);
    removeValue(l.layers.coords, repo);
  }
  for (const id of items.rootEvents) removeValue(l.layers.roots, id);
}

/** Forget every item (fresh sync); open slots are kept until the next plan closes them. */
export function layoutReset(l: LiveLayout, items: RelayNeeds): void {
  const fresh = emptyLayout();
  l.layers = fresh.layers;
  l.wide.clear();
  layoutAdd(l, items);
  l.reopen = true;
}

/** The connection dropped: no subscription is open any more. */
export function layoutDisconnected(l: LiveLayout): void {
  l.slots.clear();
  l.reopen = true;
}

export function layoutHasChanges(l: LiveLayout): boolean {
  return l.reopen || Object.values(l.layers).some((x) => x.dirty.size > 0);
}

export interface LiveBudget {
  /** live filters allowed on this relay */
  capacity: number;
  /** live subscriptions allowed (the relay's max minus room for historic work) */
  subscriptions: number;
  /** filters per REQ */
  maxFilters: number;
}

export interface LivePlan {
  order: 'openFirst' | 'closeFirst';
  /** REQs to send (an existing subId is overwritten in place) */
  open: LiveSlot[];
  close: string[];
  /** filters to fetch historically from `catchUpSince` on: what a gap in live coverage may have missed */
  catchUp: NostrFilter[];
  catchUpSince: number;
}

function perSlot(layer: LayerName, maxFilters: number): number {
  const f = FILTERS_PER_CHUNK[layer];
  return f <= maxFilters ? Math.floor(maxFilters / f) * f : maxFilters;
}

/** filters and subscriptions the layout needs with these layers widened */
function cost(l: LiveLayout, wide: ReadonlySet<LayerName>, maxFilters: number): { filters: number; subs: number } {
  let filters = 2; // layer 1 and deletions
  let subs = 1;
  for (const name of ['state', 'coords', 'roots'] as const) {
    if (wide.has(name)) continue;
    const x = l.layers[name];
    filters += x.nonEmpty * FILTERS_PER_CHUNK[name];
    subs += usedSlots(x, name, maxFilters);
  }
  const w = wideFilters(wide).length;
  if (w > 0) {
    filters += w;
    subs += 1;
  }
  return { filters, subs };
}

/** Slots holding at least one non-empty chunk (one pass over the chunks: items / 100). */
function usedSlots(x: ChunkList, layer: LayerName, maxFilters: number): number {
  const used = new Set<number>();
  x.chunks.forEach((c, i) => {
    if (c.size > 0) for (const s of slotsOf(layer, i, maxFilters)) used.add(s);
  });
  return used.size;
}

/** The fewest widened layers that fit; narrower again only with headroom (no flapping at the edge). */
export function chooseWide(l: LiveLayout, b: LiveBudget): Set<LayerName> {
  const fits = (w: Set<LayerName>, share: number): boolean => {
    const c = cost(l, w, b.maxFilters);
    return c.filters <= Math.max(1, Math.floor(b.capacity * share)) && c.subs <= b.subscriptions;
  };
  const candidates: Set<LayerName>[] = [new Set()];
  for (let i = 1; i <= WIDEN_ORDER.length; i++) candidates.push(new Set(WIDEN_ORDER.slice(0, i)));
  for (const w of candidates) {
    const narrower = w.size < l.wide.size;
    if (fits(w, narrower ? NARROW_AT : 1)) return w;
  }
  return candidates[candidates.length - 1]!;
}

export function wideFilters(wide: ReadonlySet<LayerName>): NostrFilter[] {
  const out: NostrFilter[] = [];
  if (wide.has('state')) out.push({ kinds: [KIND_REPO_STATE] });
  if (wide.has('coords') || wide.has('roots')) out.push({ kinds: [...WIDE_KINDS] });
  return out;
}

function chunkFilters(layer: LayerName, values: ReadonlySet<string>): NostrFilter[] {
  if (values.size === 0) return [];
  const sorted = [...values].sort();
  switch (layer) {
    case 'state':
      return [{ kinds: [KIND_REPO_STATE], '#d': [...new Set(sorted.map((k) => identifierOf(k as RepoKey)))] }];
    case 'coords':
      return [{ '#a': sorted }, { '#A': sorted }, { '#q': sorted }];
    case 'roots':
      return [{ '#e': sorted }, { '#E': sorted }, { '#q': sorted }];
  }
}

/** Filters of one slot of a layer: the chunks whose filter positions fall in it. */
function slotFilters(x: ChunkList, layer: LayerName, slot: number, maxFilters: number): NostrFilter[] {
  const f = FILTERS_PER_CHUNK[layer];
  const per = perSlot(layer, maxFilters);
  const out: NostrFilter[] = [];
  const firstPos = slot * per;
  for (let c = Math.floor(firstPos / f); c * f < firstPos + per && c < x.chunks.length; c++) {
    const fs = chunkFilters(layer, x.chunks[c]!);
    fs.forEach((filter, k) => {
      const pos = c * f + k;
      if (pos >= firstPos && pos < firstPos + per) out.push(filter);
    });
  }
  return out;
}

function slotsOf(layer: LayerName, chunkIndex: number, maxFilters: number): number[] {
  const f = FILTERS_PER_CHUNK[layer];
  const per = perSlot(layer, maxFilters);
  const first = Math.floor((chunkIndex * f) / per);
  const last = Math.floor((chunkIndex * f + f - 1) / per);
  const out: number[] = [];
  for (let s = first; s <= last; s++) out.push(s);
  return out;
}

export interface PlanLiveInput {
  budget: LiveBudget;
  nowSec: number;
  overlapSec: number;
  newSubId: () => string;
}

/**
 * Brings the open subscriptions in line with the layout: changed slots re-sent under their own subId
 * (the remote replaces the REQ in place, no gap), new slots opened, empty ones closed. Opens go first
 * when the subscription budget allows both at once; when it does not (or a slot was CLOSEd by the
 * remote), the new filters are also caught up historically from `now − overlap` (or the gap's start).
 */
export function planLive(l: LiveLayout, i: PlanLiveInput): LivePlan {
  const maxFilters = Math.max(1, i.budget.maxFilters);
  if (l.packedWith !== maxFilters) {
    l.packedWith = maxFilters;
    l.reopen = true;
  }
  const wide = chooseWide(l, i.budget);
  const wideChanged = wide.size !== l.wide.size || [...wide].some((w) => !l.wide.has(w));
  const desired = new Map<string, NostrFilter[]>();
  const gone = new Set<string>();
  const rebuildAll = l.reopen || wideChanged;
  if (rebuildAll) {
    for (const key of l.slots.keys()) gone.add(key);
    desired.set('l1', [layer1Filter(), deletionsFilter()]);
    const wf = wideFilters(wide);
    if (wf.length > 0) desired.set('wide', wf);
  }
  for (const name of ['state', 'coords', 'roots'] as const) {
    const x = l.layers[name];
    if (wide.has(name)) {
      x.dirty.clear();
      continue;
    }
    const slots = new Set<number>();
    if (rebuildAll) {
      const total = Math.ceil((x.chunks.length * FILTERS_PER_CHUNK[name]) / perSlot(name, maxFilters));
      for (let s = 0; s < total; s++) slots.add(s);
    } else {
      for (const c of x.dirty) for (const s of slotsOf(name, c, maxFilters)) slots.add(s);
    }
    x.dirty.clear();
    for (const s of slots) {
      const key = `${name}:${s}`;
      const filters = slotFilters(x, name, s, maxFilters);
      if (filters.length > 0) desired.set(key, filters);
      else gone.add(key);
    }
  }
  const open: LiveSlot[] = [];
  for (const [key, filters] of desired) {
    gone.delete(key);
    const prev = l.slots.get(key);
    const base = JSON.stringify(filters);
    if (prev !== undefined && prev.base === base) continue;
    const live = filters.map((f) => ({ ...f, limit: 0 }));
    const slot = { subId: prev?.subId ?? i.newSubId(), filters: live, base };
    l.slots.set(key, slot);
    open.push({ subId: slot.subId, filters: live });
  }
  const close: string[] = [];
  for (const key of gone) {
    const prev = l.slots.get(key);
    if (prev === undefined) continue;
    l.slots.delete(key);
    close.push(prev.subId);
  }
  l.wide = wide;
  l.reopen = false;
  const order = l.slots.size + close.length <= i.budget.subscriptions || close.length === 0 ? 'openFirst' : 'closeFirst';
  const gap = order === 'closeFirst' ? i.nowSec : l.gapSince;
  l.gapSince = undefined;
  const catchUp = gap === undefined ? [] : open.flatMap((o) => o.filters.map(({ limit: _limit, ...f }) => f));
  return { order, open, close, catchUp, catchUpSince: Math.max(0, (gap ?? i.nowSec) - i.overlapSec) };
}

export function liveSlotFilterCount(l: LiveLayout): number {
  let n = 0;
  for (const s of l.slots.values()) n += s.filters.length;
  return n;
}
