import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nip77 } from 'nostr-tools';
import { NegentropyError, NegentropyResponder, type NegentropyItem } from './nip77.js';

/** Deterministic xorshift32 so every failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function randomItems(rand: () => number, n: number, tsBase: number, tsSpread: number): NegentropyItem[] {
  const out: NegentropyItem[] = [];
  for (let i = 0; i < n; i++) {
    let id = '';
    for (let k = 0; k < 8; k++) id += Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0');
    out.push({ created_at: tsBase + Math.floor(rand() * tsSpread), id });
  }
  return out;
}

interface SyncResult {
  have: Set<string>;
  need: Set<string>;
  rounds: number;
}

/** nostr-tools as the initiator (client), our responder as the relay. */
function reconcile(client: NegentropyItem[], server: NegentropyItem[], clientFrame: number, serverFrame: number): SyncResult {
  const storage = new nip77.NegentropyStorageVector();
  for (const it of client) storage.insert(it.created_at, it.id);
  storage.seal();
  const initiator = new nip77.Negentropy(storage, clientFrame);
  const responder = new NegentropyResponder(server, { frameSizeLimit: serverFrame });
  const have = new Set<string>();
  const need = new Set<string>();
  let msg: string | null = initiator.initiate();
  let rounds = 0;
  while (msg !== null) {
    const answer = responder.reply(msg);
    if (serverFrame > 0) assert.ok(answer.length / 2 <= serverFrame, `reply of ${answer.length / 2} bytes exceeds ${serverFrame}`);
    msg = initiator.reconcile(answer, (id) => have.add(id), (id) => need.add(id));
    if (++rounds > 500) throw new Error('reconciliation does not terminate');
  }
  return { have, need, rounds };
}

function assertExact(r: SyncResult, onlyClient: NegentropyItem[], onlyServer: NegentropyItem[], label: string): void {
  assert.deepEqual([...r.have].sort(), onlyClient.map((i) => i.id).sort(), `${label}: have`);
  assert.deepEqual([...r.need].sort(), onlyServer.map((i) => i.id).sort(), `${label}: need`);
}

test('finds exactly the differing ids both ways over 200 random cases', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const rand = prng(seed * 7919);
    const spread = rand() < 0.5 ? 3 : 1_000_000; // half the cases put many items on equal timestamps
    const common = randomItems(rand, Math.floor(rand() ** 4 * 5000), 1_600_000_000, spread);
    const onlyClient = randomItems(rand, Math.floor(rand() ** 4 * 1000), 1_600_000_000, spread);
    const onlyServer = randomItems(rand, Math.floor(rand() ** 4 * 1000), 1_600_000_000, spread);
    const small = rand() < 0.3;
    const clientFrame = small ? 4096 : 60_000 + Math.floor(rand() * 500_000);
    const serverFrame = small ? 4096 + Math.floor(rand() * 4096) : rand() < 0.3 ? 0 : 60_000;
    const r = reconcile([...common, ...onlyClient], [...common, ...onlyServer], clientFrame, serverFrame);
    assertExact(r, onlyClient, onlyServer, `seed ${seed}`);
  }
});

test('edge sets: both empty, one side empty, identical sets', () => {
  const rand = prng(42);
  const a = randomItems(rand, 3000, 1_700_000_000, 50);
  assertExact(reconcile([], [], 4096, 4096), [], [], 'empty');
  assertExact(reconcile([], a, 4096, 4096), [], a, 'client empty');
  assertExact(reconcile(a, [], 4096, 4096), a, [], 'server empty');
  const same = reconcile(a, a, 60_000, 60_000);
  assertExact(same, [], [], 'identical');
  assert.equal(same.rounds, 1);
});

test('100k vs 100k items with 1,000 differences reconcile exactly and fast', () => {
  const rand = prng(2024);
  const common = randomItems(rand, 99_500, 1_600_000_000, 20_000_000);
  const onlyClient = randomItems(rand, 500, 1_600_000_000, 20_000_000);
  const onlyServer = randomItems(rand, 500, 1_600_000_000, 20_000_000);
  const server = [...common, ...onlyServer];
  // CPU time of this thread, so a busy machine does not fail the test; unloaded it is ~0.3 s.
  const cpuMs = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = cpuMs();
  const responder = new NegentropyResponder(server, { frameSizeLimit: 60_000 });
  const buildMs = cpuMs() - t0;
  const storage = new nip77.NegentropyStorageVector();
  for (const it of [...common, ...onlyClient]) storage.insert(it.created_at, it.id);
  storage.seal();
  const initiator = new nip77.Negentropy(storage, 60_000);
  const have = new Set<string>();
  const need = new Set<string>();
  let responderMs = 0;
  let msg: string | null = initiator.initiate();
  while (msg !== null) {
    const t = cpuMs();
    const answer = responder.reply(msg);
    responderMs += cpuMs() - t;
    msg = initiator.reconcile(answer, (id) => have.add(id), (id) => need.add(id));
  }
  assertExact({ have, need, rounds: 0 }, onlyClient, onlyServer, '100k');
  assert.ok(buildMs + responderMs < 1000, `responder took ${buildMs.toFixed(0)} ms to build, ${responderMs.toFixed(0)} ms to reply`);
});

test('duplicate items count once and uppercase ids equal their lowercase form', () => {
  const rand = prng(9);
  const items = randomItems(rand, 50, 1_700_000_000, 5);
  const noisy = [...items, ...items.slice(0, 10), ...items.slice(10, 20).map((i) => ({ ...i, id: i.id.toUpperCase() }))];
  assert.equal(new NegentropyResponder(noisy).size, 50);
  assertExact(reconcile(items, noisy, 4096, 4096), [], [], 'dedup');
});

test('an unknown protocol version is answered with our version only', () => {
  const r = new NegentropyResponder([]);
  assert.equal(r.reply('62'), '61');
});

test('malformed messages throw NegentropyError', () => {
  const r = new NegentropyResponder(randomItems(prng(3), 100, 1, 10));
  for (const bad of ['', 'zz', '6', '50', '61ff', '6100', '610002', '6101', '61000105', '6100220000', '6102000201']) {
    assert.throws(() => r.reply(bad), NegentropyError, bad);
  }
});

test('bad items and frame limits are refused at construction', () => {
  assert.throws(() => new NegentropyResponder([{ created_at: 1, id: 'zz'.repeat(32) }]), TypeError);
  assert.throws(() => new NegentropyResponder([{ created_at: 1, id: `${'ab'.repeat(20)}zz${'ab'.repeat(11)}` }]), TypeError);
  assert.throws(() => new NegentropyResponder([{ created_at: 1, id: 'ab'.repeat(31) }]), TypeError);
  assert.throws(() => new NegentropyResponder([{ created_at: -1, id: 'ab'.repeat(32) }]), TypeError);
  assert.throws(() => new NegentropyResponder([], { frameSizeLimit: 100 }), RangeError);
});
