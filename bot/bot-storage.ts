/**
 * botbuilder's `Storage` over a ServiceSim key-value store, so bot state lives in the embedded
 * default (or any later store) and survives a restart mid-rehearsal. BotState writes with eTag
 * `*`; real eTags are still honoured, and a stale one fails with "eTag conflict".
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { KeyValueStore } from '../store/key-value-store.ts';

export class KeyValueBotStorage implements Storage {
  constructor(private readonly store: KeyValueStore) {}

  async read(keys: string[]): Promise<StoreItems> {
    const items = await this.store.read(keys);
    const out: StoreItems = {};
    for (const [key, { value, eTag }] of Object.entries(items)) out[key] = { ...(value as object), eTag };
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    await this.store.write(
      Object.entries(changes).map(([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as { eTag?: string };
        return { key, value, eTag };
      }),
    );
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.delete(keys);
  }
}
