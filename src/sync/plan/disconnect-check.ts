// Disconnect checker (SYNC.md "Disconnect checker", sync-study §9.1 items 9–11): which relays to close
// (no repo lists them, not bootstrap, no pending work, not in first sync), which to retry now (targeted
// or bootstrap, disconnected, health allows — empty and bootstrap relays included), which to forget.
import type { ConnectionState } from './types.js';
import type { RelayHealth } from './health.js';
import { canAttempt } from './health.js';
import { assertNever } from './types.js';

export interface RelayCheckView {
  url: string;
  connection: ConnectionState;
  isBootstrap: boolean;
  /** some repo lists it (it is in deriveRelayTargets) */
  targeted: boolean;
  pendingBatches: number;
  /** connected but its first historic sync has not completed */
  inFirstSync: boolean;
  health: RelayHealth;
}

export interface CheckResult {
  close: string[];
  retry: string[];
  /** disconnected, unwanted relays: drop their state */
  forget: string[];
}

export function checkRelays(relays: Iterable<RelayCheckView>, now: number): CheckResult {
  const out: CheckResult = { close: [], retry: [], forget: [] };
  for (const r of relays) {
    const wanted = r.targeted || r.isBootstrap;
    switch (r.connection) {
      case 'connected':
        if (!wanted && r.pendingBatches === 0 && !r.inFirstSync) out.close.push(r.url);
        break;
      case 'disconnected':
        if (!wanted) out.forget.push(r.url);
        else if (canAttempt(r.health, now)) out.retry.push(r.url);
        break;
      case 'connecting':
      case 'closing':
        break;
      default:
        assertNever(r.connection);
    }
  }
  return out;
}

