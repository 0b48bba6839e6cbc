/**
 * The in-memory fakes held to the stores' conformance suite (the real stores run it in
 * sqlite-stores.test.ts and redis-stores.test.ts), then what sits on any key-value store: botbuilder's
 * Storage with real eTags, and the turn lease that keeps one conversation's turns one at a time
 * across processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConversationState, TestAdapter, TurnContext } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { KeyValueBotStorage } from '../bot/bot-storage.ts';
import { ConversationTurns, TurnBusyError } from '../store/conversation-turns.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { RehearsalLog } from '../store/rehearsal-log.ts';
import { evidenceStoreConformance, keyValueStoreConformance } from './store-conformance.ts';

keyValueStoreConformance('memory', async () => new MemoryKeyValueStore());
evidenceStoreConformance('memory', async () => new MemoryEvidenceStore());

describe('botbuilder Storage over a key-value store', () => {
  it('reads items with their eTag, and refuses a stale eTag with "eTag conflict"', async () => {
    const storage = new KeyValueBotStorage(new MemoryKeyValueStore());
    await storage.write({ 'conversation/1': { turns: 1, eTag: '*' } });
    const first = await storage.read(['conversation/1']);
    expect(first['conversation/1']).toMatchObject({ turns: 1, eTag: expect.any(String) });
    await storage.write({ 'conversation/1': { ...first['conversation/1'], turns: 2 } });
    await expect(storage.write({ 'conversation/1': { ...first['conversation/1'], turns: 3 } })).rejects.toThrow(/eTag conflict/);
    expect((await storage.read(['conversation/1']))['conversation/1']).toMatchObject({ turns: 2 });
    await storage.delete(['conversation/1']);
    expect(await storage.read(['conversation/1'])).toEqual({});
  });

  /** A turn's context for conversation `c1`, as two bot processes would each build it. */
  const contextOf = () =>
    new TurnContext(new TestAdapter(), {
      type: 'message',
      channelId: 'test',
      conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
      from: { id: 'u1', name: 'learner' },
      recipient: { id: 'bot', name: 'bot' },
    });

  it("makes BotState's last-writer-wins saves checked: of two turns built on the same state, the second is refused", async () => {
    const store = new MemoryKeyValueStore();
    const [one, two] = [new ConversationState(new KeyValueBotStorage(store)), new ConversationState(new KeyValueBotStorage(store))];
    const [a, b] = [contextOf(), contextOf()];
    // Both find the conversation new: the first to save creates it, the second must not overwrite it.
    (await one.load(a)).turn = 'a';
    (await two.load(b)).turn = 'b';
    await one.saveChanges(a);
    await expect(two.saveChanges(b)).rejects.toThrow(/eTag conflict/);
    // Saved again in the same turn (as the rehearsal saves before its reply), the winner's eTag follows it.
    (await one.load(a)).more = true;
    await one.saveChanges(a);
    // Both read the saved state; the first save wins, the second is refused.
    const [c, d] = [contextOf(), contextOf()];
    (await one.load(c)).turn = 'c';
    (await two.load(d)).turn = 'd';
    await two.saveChanges(d);
    await expect(one.saveChanges(c)).rejects.toThrow(/eTag conflict/);
    const stored = Object.values(await new KeyValueBotStorage(store).read(['test/conversations/c1/']))[0];
    expect(stored).toMatchObject({ turn: 'd', more: true });
  });

  it('forgets an abandoned conversation after the time to live it was given', async () => {
    const store = new MemoryKeyValueStore();
    const storage = new KeyValueBotStorage(store, 100);
    await storage.write({ 'conversation/1': { turns: 1 } });
    await sleep(250);
    expect(await storage.read(['conversation/1'])).toEqual({});
  });
});

describe('the rehearsal log', () => {
  it("keeps a rehearsal's exchanges under one hash tag, and still reads those written before tags", async () => {
    const store = new MemoryKeyValueStore();
    const exchange = (turn: number) => ({
      turn,
      learner: `reply ${turn}`,
      customer: 'ok',
      reading: { turn, text: `reply ${turn}` },
      feedback: { turn, levels: {}, breaches: [] },
    });
    await store.write([{ key: 'rehearsal/r1/2', value: exchange(2) }]);
    const log = new RehearsalLog(store);
    await log.append('r1', exchange(4) as never);
    expect(Object.keys(await store.read(['rehearsal/{r1}/4']))).toEqual(['rehearsal/{r1}/4']);
    const { exchanges, missing } = await log.read('r1', 5);
    expect(exchanges.map((e) => e.learner)).toEqual(['reply 2', 'reply 4']);
    expect(missing).toEqual([]);
    await log.remove('r1', 5);
    expect(await store.read(['rehearsal/r1/2', 'rehearsal/{r1}/4'])).toEqual({});
  });
});

describe('the turn lease', () => {
  /** Work that records how many turns of the conversation run at once, and in what order they finished. */
  function tracker() {
    let running = 0;
    let most = 0;
    const finished: string[] = [];
    const turn = (name: string, ms: number) => async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(ms);
      running -= 1;
      finished.push(name);
    };
    return { turn, finished, most: () => most };
  }

  it("runs one conversation's turns one at a time across processes sharing the store, in each process's order", async () => {
    const store = new MemoryKeyValueStore();
    const [first, second] = [new ConversationTurns(store), new ConversationTurns(store)];
    const { turn, finished, most } = tracker();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? first : second).run('test/c1', turn(`${i % 2 === 0 ? 'A' : 'B'}${i}`, 3))),
    );
    expect(most()).toBe(1);
    expect(finished).toHaveLength(12);
    expect(finished.filter((n) => n.startsWith('A'))).toEqual(['A0', 'A2', 'A4', 'A6', 'A8', 'A10']);
    expect(finished.filter((n) => n.startsWith('B'))).toEqual(['B1', 'B3', 'B5', 'B7', 'B9', 'B11']);
  });

  it('lets other conversations run at the same time', async () => {
    const store = new MemoryKeyValueStore();
    const turns = new ConversationTurns(store);
    const { turn, most } = tracker();
    await Promise.all(['c1', 'c2', 'c3'].map((c) => turns.run(c, turn(c, 20))));
    expect(most()).toBe(3);
  });

  it('releases the lease when a turn fails, and leaves nothing behind when it succeeds', async () => {
    const store = new MemoryKeyValueStore();
    const turns = new ConversationTurns(store, { waitMs: 200 });
    await expect(turns.run('c1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await turns.run('c1', async () => undefined);
    expect(await store.read(['lease/c1'])).toEqual({});
  });

  it("waits out a dead process's lease, and gives up with TurnBusyError only after waiting as long as it may", async () => {
    const store = new MemoryKeyValueStore();
    // A process that took the lease and died: nobody will release it, it expires.
    await store.write([{ key: 'lease/c1', value: { dead: true }, create: true, ttlMs: 300 }]);
    await expect(new ConversationTurns(store, { waitMs: 100 }).run('c1', async () => 'ran')).rejects.toThrow(TurnBusyError);
    expect(await new ConversationTurns(store, { waitMs: 2_000 }).run('c1', async () => 'ran')).toBe('ran');
  });

  it('renews the lease of a turn that runs longer than the lease, so no other process starts meanwhile', async () => {
    const store = new MemoryKeyValueStore();
    const options = { leaseMs: 150, waitMs: 2_000 };
    const [first, second] = [new ConversationTurns(store, options), new ConversationTurns(store, options)];
    const { turn, most } = tracker();
    const long = first.run('c1', turn('long', 500));
    await sleep(20);
    await Promise.all([long, second.run('c1', turn('next', 1))]);
    expect(most()).toBe(1);
  });
});
