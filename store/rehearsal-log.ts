/**
 * Each rehearsal's exchanges (a learner turn, how it was read and scored, and the customer's
 * answer), appended one key per turn as the rehearsal goes, and read back once, to score it at the
 * end. A turn therefore writes the same amount at turn 200 as at turn 2.
 *
 * @remarks
 * Keys are `rehearsal/{<id>}/<turn>`. A turn's exchange is written once the customer's answer in it
 * has been sent, after the conversation state that counts it (and holds it, until the next turn) is
 * committed; see `dialogs/rehearsal-dialog.ts`.
 */
import { z } from 'zod';
import type { Exchange } from '../engine/rehearsal.ts';
import { writeAll, type KeyValueStore, type WriteEntry } from './key-value-store.ts';

/** The outer shape is checked; the reading and feedback are the engine's own, written by this code. */
const StoredExchangeSchema = z.looseObject({
  turn: z.number().int().min(2),
  learner: z.string(),
  customer: z.string(),
  mood: z.number().optional(),
  reading: z.looseObject({ turn: z.number(), text: z.string() }),
  feedback: z.looseObject({ turn: z.number(), levels: z.record(z.string(), z.number().nullable()), breaches: z.array(z.unknown()) }),
});

export class RehearsalLog {
  constructor(
    private readonly store: KeyValueStore,
    /** Exchanges of a rehearsal abandoned for this long are forgotten with its state; absent: never. */
    private readonly ttlMs?: number,
  ) {}

  /** Writes the turn's exchange, over any left there by a turn taken back. */
  async append(rehearsalId: string, exchange: Exchange): Promise<void> {
    await writeAll(this.store, [this.entryOf(rehearsalId, exchange)]);
  }

  /** Whether the log holds this very exchange at its turn (not another one left there by a turn taken back). */
  async holds(rehearsalId: string, exchange: Exchange): Promise<boolean> {
    const stored = (await this.store.read([keyOf(rehearsalId, exchange.turn)]))[keyOf(rehearsalId, exchange.turn)]?.value as
      Partial<Exchange> | undefined;
    return stored?.learner === exchange.learner && stored.customer === exchange.customer;
  }

  private entryOf(rehearsalId: string, exchange: Exchange): WriteEntry {
    return { key: keyOf(rehearsalId, exchange.turn), value: exchange, ...(this.ttlMs === undefined ? {} : { ttlMs: this.ttlMs }) };
  }

  /**
   * The exchanges of learner turns 2, 4, … up to `turnCount`, in order, and the turns that could
   * not be read (a file damaged or lost): the rest still make a rehearsal that can be scored.
   */
  async read(rehearsalId: string, turnCount: number): Promise<{ exchanges: Exchange[]; missing: number[] }> {
    const turns = learnerTurns(turnCount);
    const items = await this.store.read(turns.flatMap((turn) => [keyOf(rehearsalId, turn), legacyKeyOf(rehearsalId, turn)]));
    const exchanges: Exchange[] = [];
    const missing: number[] = [];
    for (const turn of turns) {
      const parsed = StoredExchangeSchema.safeParse((items[keyOf(rehearsalId, turn)] ?? items[legacyKeyOf(rehearsalId, turn)])?.value);
      if (parsed.success && parsed.data.turn === turn) exchanges.push(parsed.data as unknown as Exchange);
      else missing.push(turn);
    }
    return { exchanges, missing };
  }

  /** Once the evidence is saved, the log has served its purpose. */
  async remove(rehearsalId: string, turnCount: number): Promise<void> {
    await this.store.delete(logKeysOf(rehearsalId, turnCount));
  }
}

/** Every key a rehearsal of this many turns may have in the log, in both forms (for its removal, or its learner's erasure). */
export const logKeysOf = (rehearsalId: string, turnCount: number) =>
  learnerTurns(turnCount).flatMap((turn) => [keyOf(rehearsalId, turn), legacyKeyOf(rehearsalId, turn)]);

/** The braces are a Redis hash tag: a rehearsal's exchanges share one Redis Cluster slot (and its evidence record's). */
const keyOf = (rehearsalId: string, turn: number) => `rehearsal/{${rehearsalId}}/${turn}`;
/** Before hash tags (2026-11): the exchanges of a rehearsal under way when ServiceSim was upgraded are still read. */
const legacyKeyOf = (rehearsalId: string, turn: number) => `rehearsal/${rehearsalId}/${turn}`;

/** A rehearsal opens with the customer, so learner turns are the even positions. */
const learnerTurns = (turnCount: number) => Array.from({ length: Math.floor(turnCount / 2) }, (_, i) => 2 * (i + 1));
