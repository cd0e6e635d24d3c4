// Worker-thread entry of the verification pool (verify-pool.ts): receives batches of
// shape-checked NIP-01 events, answers one VerifyOutcome per event in the same order.
// Loaded as .ts under tsx and as .js from dist/.
import { parentPort } from 'node:worker_threads';
import { tinySecpBackend, verifyShapedEvent } from './verify.js';
import type { VerifyReply, VerifyRequest } from './verify-pool.js';
import type { VerifyOutcome } from './verify-types.js';

function verifyOne(event: VerifyRequest['events'][number]): VerifyOutcome {
  try {
    return verifyShapedEvent(event, tinySecpBackend);
  } catch {
    return { ok: false, reason: 'invalid: event could not be verified' };
  }
}

const port = parentPort;
if (port) {
  port.on('message', (req: VerifyRequest) => {
    const reply: VerifyReply = { type: 'done', batch: req.batch, outcomes: req.events.map(verifyOne) };
    port.postMessage(reply);
  });
  const ready: VerifyReply = { type: 'ready' };
  port.postMessage(ready);
}
