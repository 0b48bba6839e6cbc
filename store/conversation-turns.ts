/**
 * One conversation's turns, one at a time, whichever bot process receives them: a turn holds the
 * conversation's lease, kept in the shared store, while it runs.
 *
 * @remarks
 * Within a process, turns of one conversation wait in a queue, in the order they arrived; across
 * processes, a turn first takes the lease: an item created only if absent, with a time to live, so
 * a process that dies mid-turn holds it for at most `leaseMs`. A turn running longer renews it.
 * The lease alone cannot stop a process that stalled past its lease (a long pause) from writing
 * after another took over; the state's eTags do (`bot/bot-storage.ts`): its stale write is refused,
 * so the lease's token is, in effect, the state's eTag.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedQueue } from './keyed-queue.ts';
import type { KeyValueStore } from './key-value-store.ts';

export interface TurnLeaseOptions {
  /** How long a lease lasts unless renewed; a dead process blocks its conversations this long at most. */
  leaseMs: number;
  /** How long a turn waits for the lease before giving up. */
  waitMs: number;
}

export const DEFAULT_TURN_LEASE: TurnLeaseOptions = { leaseMs: 30_000, waitMs: 30_000 };

/** The conversation's lease was held by another process for longer than a turn may wait. */
export class TurnBusyError extends Error {
  constructor() {
    super('the conversation is busy with another turn');
    this.name = 'TurnBusyError';
  }
}

export class ConversationTurns {
  private readonly local = new KeyedQueue();
  private readonly options: TurnLeaseOptions;

  constructor(
    private readonly store: KeyValueStore,
    options: Partial<TurnLeaseOptions> = {},
  ) {
    this.options = { ...DEFAULT_TURN_LEASE, ...options };
  }

  /** Runs `work` as this conversation's only turn, here and in every other process sharing the store. */
  run<T>(conversation: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(conversation, async () => {
      const lease = await this.acquire(`lease/${conversation}`);
      try {
        return await work();
      } finally {
        await lease.release();
      }
    });
  }

  private async acquire(key: string): Promise<{ release: () => Promise<void> }> {
    const { leaseMs, waitMs } = this.options;
    // Who holds it, for an operator looking at the store; never read by the code.
    const holder = { id: randomUUID(), host: hostname(), pid: process.pid };
    const deadline = Date.now() + waitMs;
    let pause = 2;
    for (;;) {
      const outcome = (await this.store.write([{ key, value: holder, create: true, ttlMs: leaseMs }]))[key];
      if (outcome?.written) return this.held(key, holder, outcome.eTag);
      if (Date.now() >= deadline) throw new TurnBusyError();
      // Another process's turn: they take milliseconds, so look again soon, then less often.
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 50);
    }
  }

  /** A lease held: renewed at a third of its life while the turn runs, deleted (if still ours) when it ends. */
  private held(key: string, holder: object, firstETag: string): { release: () => Promise<void> } {
    let eTag = firstETag;
    let renewing: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = this.store.write([{ key, value: holder, eTag, ttlMs: this.options.leaseMs }]).then(
        (outcomes) => {
          const outcome = outcomes[key];
          // Lost (expired and taken): the state's eTags refuse this turn's late writes; nothing to do here.
          if (outcome?.written) eTag = outcome.eTag;
        },
        () => undefined,
      );
    }, this.options.leaseMs / 3);
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await renewing;
        // If the store fails now, the lease simply expires: the next turn waits for it, no longer.
        await this.store.deleteIfUnchanged(key, eTag).catch(() => undefined);
      },
    };
  }
}
