// GRASP.md "Git data sync": the quarantine bytes of all running fetches together are bounded. The per-fetch
// cap (--gitfetch-max-bytes) and the per-host concurrency cap do not bound the sum: clone URLs on wildcard
// subdomains are as many hosts as an attacker likes. Each fetch holds a lease and reports its size as it
// grows; past the total cap the largest holder is told to stop (it is retried later, alone if need be),
// and one that alone exceeds the cap is too large.

export type LeaseVerdict = 'ok' | 'over_budget' | 'too_large';

export interface QuarantineLease {
  /** the fetch's quarantine now holds `bytes`: may it go on? */
  report(bytes: number): LeaseVerdict;
  release(): void;
}

export class QuarantineBudget {
  private readonly held = new Map<object, number>();

  constructor(readonly capBytes: number) {}

  /** bytes held by running fetches */
  get used(): number {
    let n = 0;
    for (const b of this.held.values()) n += b;
    return n;
  }

  /** No new fetch starts while the running ones fill the budget. */
  get full(): boolean {
    return this.used >= this.capBytes;
  }

  lease(): QuarantineLease {
    const key = {};
    this.held.set(key, 0);
    return {
      report: (bytes) => {
        if (!this.held.has(key)) return 'ok';
        this.held.set(key, bytes);
        return verdict(bytes, [...this.held.values()], this.capBytes);
      },
      release: () => void this.held.delete(key),
    };
  }
}

/** Pure: what a holder of `mine` bytes must do, given every holder's bytes (its own included). */
export function verdict(mine: number, all: readonly number[], cap: number): LeaseVerdict {
  if (mine > cap) return 'too_large';
  const total = all.reduce((a, b) => a + b, 0);
  if (total <= cap) return 'ok';
  return all.every((b) => b <= mine) ? 'over_budget' : 'ok';
}
