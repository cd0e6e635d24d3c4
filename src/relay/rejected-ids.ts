// Ids we refused recently. Negentropy sync counts them as "have" so a remote is not asked for them again
// on every reconciliation (SYNC.md: local set = stored + purgatory + recently rejected).
export class RecentlyRejected {
  private readonly ids = new Map<string, number>();

  constructor(private readonly capacity = 50_000) {}

  add(id: string, createdAt: number): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) this.ids.delete(this.ids.keys().next().value as string);
    this.ids.set(id, createdAt);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  entries(): Array<{ id: string; created_at: number }> {
    return [...this.ids].map(([id, created_at]) => ({ id, created_at }));
  }
}
