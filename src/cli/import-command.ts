// `graspd import [--url URL]`: JSON lines of events on stdin, published to a running server over its
// WebSocket, so they pass the same admission as any client's (signatures, GRASP policy, purgatory).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { RelayLink } from '../audit/relay-link.js';
import { importEvents } from '../admin/import-events.js';
import { parseEventLine } from '../admin/jsonl.js';
import type { NostrEvent } from '../nostr/types.js';
import { UsageError, parseSubArgs, type Io } from './sub-args.js';
import { targetOf } from './target.js';

export async function importCommand(argv: string[], io: Io, stdin: Readable = process.stdin): Promise<number> {
  const a = parseSubArgs(argv, { values: ['url', 'window', 'timeout-ms'] });
  if (a.positional.length > 0) throw new UsageError('usage: graspd import [--url URL] < events.jsonl');
  const link = await RelayLink.connect(targetOf(a).ws, a.int('timeout-ms', 30_000));
  let lineNo = 0;
  let malformed = 0;
  async function* events(): AsyncGenerator<NostrEvent> {
    for await (const line of createInterface({ input: stdin, crlfDelay: Infinity })) {
      lineNo++;
      if (line.trim() === '') continue;
      const e = parseEventLine(line);
      if ('error' in e) {
        if (malformed++ < 10) io.err(`line ${lineNo}: ${e.error}\n`);
        continue;
      }
      yield e;
    }
  }
  try {
    const s = await importEvents(events(), link, { window: Math.max(1, a.int('window', 64)), rateLimitPauseMs: 1000, maxRateLimitRetries: 30, retryPasses: 3 });
    const by = Object.entries(s.refusedBy).map(([k, v]) => `${k} ${v}`).join(', ');
    io.err(`read ${s.sent} events: ${s.stored} stored, ${s.held} held in purgatory, ${s.duplicate} duplicates, ${s.refused} refused${by ? ` (${by})` : ''}${malformed ? `, ${malformed} malformed lines skipped` : ''}\n`);
  } finally {
    link.close();
  }
  return malformed > 0 ? 1 : 0;
}
