// Where the moderation lists come from at run time: the options plus an optional file, re-read when the file
// changes and on SIGHUP (no restart). A bad file at start is a configuration error (exit 2); a bad file later
// keeps the previous lists and says so in the log.
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/load.js';
import type { Logger } from '../log/logger.js';
import { prom, registry } from '../metrics/registry.js';
import { nip19 } from 'nostr-tools';
import {
  EMPTY_LISTS, ListEntryError, buildLists, mergeRawLists, parseListsFile,
  type ModerationLists, type RawLists, type RepoEntry,
} from '../policy/lists.js';

const listSize = new prom.Gauge({ name: 'graspd_moderation_list_entries', help: 'entries in each moderation list', labelNames: ['list'], registers: [registry] });
const reloads = new prom.Counter({ name: 'graspd_moderation_list_reloads_total', help: 'lists file reloads, by outcome', labelNames: ['outcome'], registers: [registry] });

const RELOAD_DEBOUNCE_MS = 100;

function fromConfig(config: Config): RawLists {
  return { 'repo-whitelist': config.repoWhitelist, 'repo-blacklist': config.repoBlacklist, 'author-blacklist': config.authorBlacklist };
}

const entryText = (e: RepoEntry): string => (e.pubkey ? nip19.npubEncode(e.pubkey) + (e.d !== undefined ? `/${e.d}` : '') : (e.d ?? ''));

export type ListsChange = { added: RepoEntry[]; removed: RepoEntry[]; lists: ModerationLists };

export class ListsSource {
  #current: ModerationLists = EMPTY_LISTS;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #onHup = (): void => {
    this.reload('SIGHUP');
  };
  readonly #listeners: Array<(c: ListsChange) => void> = [];

  /** Loads the lists; throws ConfigError when an entry or the file is bad. */
  constructor(private readonly config: Config, private readonly log: Logger) {
    try {
      this.#set(this.#read());
    } catch (err) {
      if (err instanceof ListEntryError || isFsError(err)) throw new ConfigError(`--lists-file ${config.listsFile}: ${(err as Error).message}`);
      throw err;
    }
  }

  get current(): ModerationLists {
    return this.#current;
  }

  /** Called after every successful reload that changed the repo blacklist. */
  onChange(listener: (c: ListsChange) => void): void {
    this.#listeners.push(listener);
  }

  /** Watches the file (its directory, so editors that replace the file are seen) and listens for SIGHUP. */
  start(): void {
    process.on('SIGHUP', this.#onHup);
    const file = this.config.listsFile;
    if (file === undefined) return;
    const path = resolve(file);
    try {
      this.#watcher = watch(dirname(path), (_event, name) => {
        if (name !== null && name !== basename(path)) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.reload('file changed'), RELOAD_DEBOUNCE_MS);
        this.#timer.unref();
      });
      this.#watcher.on('error', (err) => this.log.warn({ err: err.message }, 'lists file watch failed; SIGHUP still reloads'));
      this.#watcher.unref();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot watch the lists file; SIGHUP still reloads');
    }
  }

  stop(): void {
    process.off('SIGHUP', this.#onHup);
    this.#watcher?.close();
    clearTimeout(this.#timer);
  }

  /** Re-reads options + file; keeps the previous lists when the file is bad. Returns whether it applied. */
  reload(why: string): boolean {
    let next: ModerationLists;
    try {
      next = this.#read();
    } catch (err) {
      reloads.inc({ outcome: 'error' });
      this.log.error({ file: this.config.listsFile, err: (err as Error).message, why }, 'lists file not reloaded: keeping the previous lists');
      return false;
    }
    const before = this.#current;
    this.#set(next);
    reloads.inc({ outcome: 'ok' });
    const added = next.repoBlacklist.filter((e) => !before.repoBlacklist.some((b) => entryText(b) === entryText(e)));
    const removed = before.repoBlacklist.filter((e) => !next.repoBlacklist.some((b) => entryText(b) === entryText(e)));
    this.log.info({
      why,
      repoWhitelist: next.repoWhitelist.length, repoBlacklist: next.repoBlacklist.length, authorBlacklist: next.authorBlacklist.size,
      blacklisted: added.map(entryText), unlisted: removed.map(entryText),
    }, 'moderation lists reloaded');
    for (const l of this.#listeners) l({ added, removed, lists: next });
    return true;
  }

  #read(): ModerationLists {
    const fromOptions = fromConfig(this.config);
    const file = this.config.listsFile;
    return buildLists(file === undefined ? fromOptions : mergeRawLists(fromOptions, parseListsFile(readFileSync(file, 'utf8'))));
  }

  #set(lists: ModerationLists): void {
    this.#current = lists;
    listSize.set({ list: 'repo-whitelist' }, lists.repoWhitelist.length);
    listSize.set({ list: 'repo-blacklist' }, lists.repoBlacklist.length);
    listSize.set({ list: 'author-blacklist' }, lists.authorBlacklist.size);
  }
}

function isFsError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

export { entryText };
