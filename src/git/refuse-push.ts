// Refusing a whole push before git runs, in a way `git push` shows as one line ("remote error: …"): the answer
// to the receive-pack advertisement (or the receive-pack POST) is a smart-HTTP ERR packet.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FLUSH, pktLine } from './pkt-line.js';

export function isPushRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  return /\/git-receive-pack$/.test(url.split('?')[0] ?? '') || /[?&]service=git-receive-pack(&|$)/.test(url);
}

export function refusePush(res: ServerResponse, reason: string): void {
  const advertisement = /service=git-receive-pack/.test(res.req?.url ?? '');
  const type = advertisement ? 'application/x-git-receive-pack-advertisement' : 'application/x-git-receive-pack-result';
  res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': type, 'Cache-Control': 'no-cache' });
  const head = advertisement ? [pktLine('# service=git-receive-pack\n'), FLUSH] : [];
  res.end(Buffer.concat([...head, pktLine(`ERR ${reason}\n`)]));
}
