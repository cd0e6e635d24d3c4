// Flow control for remote events (SYNC.md "Live and historic"): ingest verifies in a worker pool and
// batches store commits, so it is fast only with many events in flight — but an unbounded flood from a
// remote must not pile up in memory. Historic paging waits for `room()`; work that must follow every
// admission so far (persisting a cursor, handing self-subscribed events to the plan) waits for `idle()`.

export class AdmitGate {
  private readonly inflight = new Set<Promise<void>>();
  private waiters: Array<() => void> = [];

  constructor(readonly window: number) {}

  get size(): number {
    return this.inflight.size;
  }

  /** Counts `p` until it settles (it never rejects the caller's chain). */
  track(p: Promise<void>): void {
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(settled);
    void settled.then(() => {
      this.inflight.delete(settled);
      if (this.inflight.size < this.window) this.wake();
    });
  }

  /** Resolves once fewer than `window` admissions are in flight. */
  room(): Promise<void> {
    if (this.inflight.size < this.window) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when every admission tracked so far has settled. */
  idle(): Promise<void> {
    return Promise.all([...this.inflight]).then(() => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
