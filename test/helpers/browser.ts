// A real headless Chromium (Debian's package) driven over its DevTools protocol with the `ws` client:
// open a page, wait for it to load, and read what a person sees (document.body.innerText). No npm
// browser library. `findChromium()` is undefined when no browser is installed (the test then skips).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

export function findChromium(): string | undefined {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of CANDIDATES) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

export interface Page {
  /** evaluates an expression in the page and returns its value (JSON-serialisable) */
  evaluate<T>(expression: string): Promise<T>;
  navigate(url: string): Promise<void>;
}

export interface Browser {
  page: Page;
  close(): Promise<void>;
}

async function devtoolsUrl(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((res, rej) => {
    let err = '';
    const timer = setTimeout(() => rej(new Error(`chromium did not start: ${err.slice(-2000)}`)), timeoutMs);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    proc.once('exit', (code) => rej(new Error(`chromium exited (${code}): ${err.slice(-2000)}`)));
  });
}

export async function launchChromium(binary: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'graspd-chromium-'));
  const proc = spawn(binary, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-extensions', '--disable-background-networking', `--user-data-dir=${profile}`, '--remote-debugging-port=0', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const browserWs = await devtoolsUrl(proc, 30_000);
  const port = new URL(browserWs).port;
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>;
  const target = targets.find((t) => t.type === 'page');
  if (!target) throw new Error('chromium has no page');
  const ws = new WebSocket(target.webSocketDebuggerUrl, { perMessageDeflate: false });
  await new Promise<void>((res, rej) => ws.once('open', () => res()).once('error', rej));
  let nextId = 1;
  const waiting = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  const listeners = new Set<(method: string) => void>();
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string }; method?: string };
    if (msg.id !== undefined) {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) w?.rej(new Error(msg.error.message));
      else w?.res(msg.result);
    } else if (msg.method) for (const l of listeners) l(msg.method);
  });
  const send = (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    new Promise((res, rej) => {
      const id = nextId++;
      waiting.set(id, { res, rej });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('Page.enable');
  const page: Page = {
    async evaluate<T>(expression: string): Promise<T> {
      const r = (await send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: unknown };
      if (r.exceptionDetails) throw new Error(`page script failed: ${JSON.stringify(r.exceptionDetails)}`);
      return r.result.value;
    },
    async navigate(url: string): Promise<void> {
      const loaded = new Promise<void>((res) => {
        const l = (m: string): void => {
          if (m === 'Page.loadEventFired') {
            listeners.delete(l);
            res();
          }
        };
        listeners.add(l);
      });
      await send('Page.navigate', { url });
      await Promise.race([loaded, new Promise((_, rej) => setTimeout(() => rej(new Error(`${url} did not load`)), 20_000))]);
    },
  };
  return {
    page,
    async close() {
      ws.close();
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
