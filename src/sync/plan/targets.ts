// deriveRelayTargets: invert repo → relays into relay → needs (SYNC.md "Self-subscription" step 2).
// A stateOnly repo contributes only its coordinate (state filter); its root events wait for promotion.
// Bootstrap relays are always targets (Layer 1 only unless a repo lists them).
import type { RelayNeeds, RepoSyncIndex } from './types.js';
import { emptyNeeds } from './types.js';

export function deriveRelayTargets(repos: RepoSyncIndex, bootstrapRelays: Iterable<string>): Map<string, RelayNeeds> {
  const out = new Map<string, RelayNeeds>();
  const needsOf = (url: string): RelayNeeds => {
    let n = out.get(url);
    if (n === undefined) out.set(url, (n = emptyNeeds()));
    return n;
  };
  for (const url of bootstrapRelays) needsOf(url);
  for (const [key, entry] of repos) {
    for (const url of entry.relays) {
      const n = needsOf(url);
      n.repos.add(key);
      if (entry.level === 'stateOnly') {
        n.stateOnly.add(key);
        continue;
      }
      for (const id of entry.rootEvents) n.rootEvents.add(id);
    }
  }
  return out;
}
