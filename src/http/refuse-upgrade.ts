// Raw-socket answers to WebSocket upgrades we refuse (unknown path, per-IP limit, not ready). The socket is ours
// once node:http hands it over, so every write path must survive a peer that resets meanwhile.
import type { Duplex } from 'node:stream';

export function ignoreSocketError(): void {
  // a peer that resets or vanishes: nothing to do, node destroys the socket
}

/** Answers a refused WebSocket upgrade on the raw socket; safe against peers that reset meanwhile. */
export function refuseUpgrade(socket: Duplex, status: string, body: string): void {
  if (socket.listenerCount('error') === 0) socket.on('error', ignoreSocketError);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\nAccess-Control-Allow-Origin: *\r\n\r\n${body}`,
  );
  // a peer that never reads the answer must not keep the socket
  setTimeout(() => socket.destroy(), 5_000).unref();
}

