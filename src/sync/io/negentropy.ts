// NIP-77 initiator for one historic part (SYNC.md "Live and historic"): reconcile the filter against our
// real local set (stored + purgatory + recently rejected), then fetch the ids we need with REQ {ids} in
// chunks. NOTICE/CLOSED/NEG-ERR answering NEG-OPEN, or no NEG-MSG within the timeout, means "unsupported".
import { nip77 } from 'nostr-tools';
import type { NostrFilter } from '../../nostr/types.js';

export interface NegentropyIo {
  send(frame: unknown[]): void;
  /** fetch these ids (REQ {ids}); resolves when every chunk was delivered (admission may go on) */
  fetch(ids: string[]): Promise<void>;
  done(): void;
  failed(unsupported: boolean, reason: string): void;
  debug?(msg: string): void;
}

export class NegentropySession {
  private neg: nip77.Negentropy | undefined;
  private readonly need = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private answered = false;
  private finished = false;
  /** NEG-MSG bytes sent and received (hex chars / 2), for the reconciliation-cost bench */
  bytes = 0;

  constructor(readonly subId: string, private readonly filter: NostrFilter, private readonly io: NegentropyIo, private readonly timeoutMs: number) {}

  start(local: ReadonlyArray<{ id: string; created_at: number }>): void {
    const storage = new nip77.NegentropyStorageVector();
    const seen = new Set<string>();
    for (const it of local) {
      if (seen.has(it.id)) continue;
      seen.add(it.id);
      storage.insert(it.created_at, it.id);
    }
    storage.seal();
    this.neg = new nip77.Negentropy(storage);
    const msg = this.neg.initiate();
    this.bytes += msg.length / 2;
    this.io.send(['NEG-OPEN', this.subId, this.filter, msg]);
    this.arm();
  }

  get awaitingFirstAnswer(): boolean {
    return !this.answered && !this.finished;
  }

  onMessage(msg: unknown): void {
    if (this.finished || this.neg === undefined || typeof msg !== 'string') return;
    this.answered = true;
    this.bytes += msg.length / 2;
    let next: string | null;
    try {
      next = this.neg.reconcile(msg, undefined, (id) => this.need.add(id));
    } catch (err) {
      this.fail(false, `bad NEG-MSG: ${String(err)}`);
      return;
    }
    if (next !== null) {
      this.bytes += next.length / 2;
      this.io.send(['NEG-MSG', this.subId, next]);
      this.arm();
      return;
    }
    this.clear();
    this.io.send(['NEG-CLOSE', this.subId]);
    this.finished = true;
    this.io.debug?.(`negentropy ${this.subId}: need ${this.need.size}`);
    this.io.fetch([...this.need]).then(
      () => this.io.done(),
      (err: unknown) => this.io.failed(false, `fetch failed: ${String(err)}`),
    );
  }

  /** NEG-ERR, or NOTICE / CLOSED while NEG-OPEN is unanswered. */
  onError(reason: string): void {
    this.fail(!this.answered, reason);
  }

  cancel(): void {
    this.clear();
    this.finished = true;
  }

  private fail(unsupported: boolean, reason: string): void {
    if (this.finished) return;
    this.cancel();
    this.io.failed(unsupported, reason);
  }

  private arm(): void {
    this.clear();
    this.timer = setTimeout(() => {
      if (!this.answered) this.io.send(['NEG-CLOSE', this.subId]);
      this.fail(!this.answered, 'no NEG-MSG in time');
    }, this.timeoutMs);
    this.timer.unref();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
