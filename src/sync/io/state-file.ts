// Durable per-relay sync snapshots (SYNC.md "Data model": the cursor is persisted so a restart within the
// quick-reconnect window catches up with `since`). One JSON file, written atomically (tmp + rename),
// coalesced: many persist commands in a burst cost one write.
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { writeFileSync, renameSync } from 'node:fs';
import type { RelaySnapshot } from '../plan/types.js';

export class StateFile {
  private readonly snaps = new Map<string, RelaySnapshot>();
  private dirty = false;
  private writing: Promise<void> | undefined;

  constructor(private readonly path: string) {}

  load(): RelaySnapshot[] {
    try {
      const doc = JSON.parse(readFileSync(this.path, 'utf8')) as { relays?: unknown };
      const list = Array.isArray(doc.relays) ? (doc.relays as RelaySnapshot[]) : [];
      const ok = list.filter((s) => typeof s?.url === 'string' && typeof s.cursor === 'number' && Array.isArray(s.repos) && Array.isArray(s.stateOnly) && Array.isArray(s.rootEvents));
      for (const s of ok) this.snaps.set(s.url, s);
      return ok;
    } catch {
      return [];
    }
  }

  put(s: RelaySnapshot): void {
    this.snaps.set(s.url, s);
    this.dirty = true;
    this.writing ??= this.writeLoop().catch(() => undefined);
  }

  remove(url: string): void {
    if (!this.snaps.delete(url)) return;
    this.dirty = true;
    this.writing ??= this.writeLoop().catch(() => undefined);
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await writeFile(`${this.path}.tmp`, this.text());
        await rename(`${this.path}.tmp`, this.path);
      }
    } finally {
      this.writing = undefined;
    }
  }

  /** Final write on shutdown (synchronous, after the last persist commands). */
  async flush(): Promise<void> {
    await this.writing?.catch(() => undefined);
    writeFileSync(`${this.path}.tmp`, this.text());
    renameSync(`${this.path}.tmp`, this.path);
  }

  private text(): string {
    return JSON.stringify({ version: 1, relays: [...this.snaps.values()] });
  }
}
