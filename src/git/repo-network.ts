// Which hosted repos are copies of one repository and share an object pool (issue 11), pure. Two repos are
// in one network when they have the same identifier `d` and the same recursive maintainer set (each owner
// is in the other's set: one announcing a foreign key as maintainer is not enough to join its network), or
// the same earliest unique commit (NIP-34 `["r", <commit>, "euc"]`, counted only when the caller checked
// the repo has that commit: a fork). Networks are the connected components of that relation; only networks of two or more
// repos get a pool. A pool id, once given, sticks to the network that holds most of its members, so a
// network that grows or shrinks does not move its objects around.

export interface NetworkRepo {
  /** the repo directory (unique key) */
  id: string;
  d: string;
  /** the recursive maintainer set (owner included) */
  maintainers: readonly string[];
  /** earliest unique commit, verified present in the repo */
  euc?: string;
}

/** Connected components of two or more repos; each component and the list sorted. */
export function networkGroups(repos: readonly NetworkRepo[]): string[][] {
  const parent = new Map<string, string>(repos.map((r) => [r.id, r.id]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root) as string;
    for (let y = x; y !== root;) { const next = parent.get(y) as string; parent.set(y, root); y = next; }
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const byKey = new Map<string, string>();
  const link = (key: string, id: string): void => {
    const first = byKey.get(key);
    if (first === undefined) byKey.set(key, id);
    else union(first, id);
  };
  for (const r of repos) {
    link(`m\0${r.d}\0${[...new Set(r.maintainers)].sort().join(',')}`, r.id);
    if (r.euc !== undefined && /^[0-9a-f]{40}$/.test(r.euc)) link(`euc\0${r.euc}`, r.id);
  }
  const groups = new Map<string, string[]>();
  for (const r of repos) {
    const root = find(r.id);
    groups.set(root, [...(groups.get(root) ?? []), r.id]);
  }
  return [...groups.values()].filter((g) => g.length >= 2).map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

/**
 * Repo → pool id. A group keeps the pool most of its members already use (ties: the smaller id), unless a
 * larger group claimed it first; otherwise it gets newPoolId(group). Repos in no group get no pool.
 */
export function assignPools(groups: readonly string[][], current: ReadonlyMap<string, string>, newPoolId: (group: readonly string[]) => string): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  const order = [...groups].sort((a, b) => b.length - a.length || (a[0]! < b[0]! ? -1 : 1));
  for (const g of order) {
    const votes = new Map<string, number>();
    for (const id of g) {
      const p = current.get(id);
      if (p !== undefined && !taken.has(p)) votes.set(p, (votes.get(p) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    let pool = best ?? newPoolId(g);
    for (let i = 1; taken.has(pool); i++) pool = `${newPoolId(g)}-${i}`;
    taken.add(pool);
    for (const id of g) out.set(id, pool);
  }
  return out;
}
