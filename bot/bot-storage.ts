/**
 * botbuilder's `Storage` over a ServiceSim key-value store, so bot state lives in the embedded
 * default (or Redis) and survives a restart mid-rehearsal, with every write checked against what
 * the turn read.
 *
 * @remarks
 * BotState writes with eTag `*` (last writer wins), which would let two turns of one conversation,
 * in two processes, each save over the other. So the eTag an item was read with is kept on the
 * item, under a symbol botbuilder neither sees nor saves, and its write is made with that eTag; an
 * item this turn found absent is written only if it is still absent. A write refused either way
 * throws an error whose message contains "eTag conflict", as botbuilder expects; the turn is then
 * taken again on fresh state (`bot/servicesim-bot.ts`). An eTag set by the caller (not `*`) is honoured.
 */
import type { Storage, StoreItems } from 'botbuilder';
import { writeAll, type KeyValueStore, type WriteEntry } from '../store/key-value-store.ts';

/** The eTag an item was read with (or last written with) in this turn. */
const READ_WITH = Symbol('eTag read with');

type BotItem = Record<string, unknown> & { eTag?: string; [READ_WITH]?: string };

export class KeyValueBotStorage implements Storage {
  constructor(
    private readonly store: KeyValueStore,
    /** Items expire this long after their last write (abandoned conversations); absent: never. */
    private readonly ttlMs?: number,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.store.read(keys);
    const out: StoreItems = {};
    for (const [key, { value, eTag }] of Object.entries(items)) out[key] = { ...(value as object), eTag, [READ_WITH]: eTag };
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    const items = Object.entries(changes) as [string, BotItem | undefined][];
    const entries = items.map(([key, item]): WriteEntry => {
      const { eTag, [READ_WITH]: readWith, ...value } = item ?? {};
      const ttl = this.ttlMs === undefined ? {} : { ttlMs: this.ttlMs };
      if (eTag !== undefined && eTag !== '*') return { key, value, eTag, ...ttl };
      return readWith === undefined ? { key, value, create: true, ...ttl } : { key, value, eTag: readWith, ...ttl };
    });
    const eTags = await writeAll(this.store, entries);
    // The same objects are written again later in the turn: they must carry the eTag they now have.
    for (const [key, item] of items) if (item) item[READ_WITH] = eTags[key];
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
