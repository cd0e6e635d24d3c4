// Wire types of NIP-01, shared by every layer.
export interface NostrEvent {
  id: string;
  pubkey: string;
  created_at: number;
  kind: number;
  tags: string[][];
  content: string;
  sig: string;
}

/** A NIP-01 filter. Tag filters are `#<single letter>` keys. */
export interface NostrFilter {
  ids?: string[];
  authors?: string[];
  kinds?: number[];
  since?: number;
  until?: number;
  limit?: number;
  [tag: `#${string}`]: string[] | undefined;
}

export type Reason = `${'blocked' | 'invalid' | 'restricted' | 'rate-limited' | 'duplicate' | 'error' | 'purgatory' | 'pow' | 'auth-required'}: ${string}`;
