// One LISTEN connection per channel, kept open: a dropped connection is re-opened after a second and the
// owner is told (`onReconnect`) so it can re-read what it may have missed while no notification arrived.
import pg from 'pg';
import type { Logger } from '../log/logger.js';

export interface Listening {
  close(): Promise<void>;
}

export async function listen(url: string, channel: string, log: Logger, onMessage: (payload: string) => void, onReconnect: () => Promise<void>): Promise<Listening> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const open = async (first: boolean): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload !== undefined) onMessage(n.payload);
    });
    c.on('error', (err) => {
      log.warn({ err: err.message, channel }, 'database notification connection lost');
      void c.end().catch(() => {});
      if (client === c) client = undefined;
      schedule();
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    if (closed) return void (await c.end());
    client = c;
    if (!first) await onReconnect();
  };
  const schedule = (): void => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      open(false).catch((err: unknown) => {
        log.warn({ err: (err as Error).message, channel }, 'database notification connection failed');
        schedule();
      });
    }, 1000);
    retry.unref();
  };
  await open(true);
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
