/**
 * A rehearsal left without `end` is taken up again whenever the learner comes back, for a while;
 * once it has been left this long (ABANDONED_AFTER_DAYS), it is scored as it stands and kept as
 * evidence, ended as "abandoned", before its state could expire: the learner's turns are never
 * lost, and their tutor sees the attempt.
 *
 * @remarks
 * Every bot process runs the same pass over the rehearsals under way (store/open-rehearsals.ts).
 * One left long enough is kept under its conversation's turn lease (store/conversation-turns.ts),
 * the lease its learner's turns take: a learner who comes back at that moment waits for it, then
 * finds it kept; two processes keep it once, since the second finds it gone. The evidence is saved
 * before the rehearsal leaves its conversation's state, so a pass cut short keeps it again (the
 * same record, by the same id) rather than losing it. The conversation is left a note, for the
 * learner's next message there to say what became of it.
 */
import type { Logger } from 'pino';
import type { EndReason } from '../engine/customer.ts';
import { Rehearsal, type RehearsalParts } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { ConversationReferences } from '../store/conversation-references.ts';
import type { ConversationTurns } from '../store/conversation-turns.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import type { OpenRehearsal, OpenRehearsals } from '../store/open-rehearsals.ts';
import { PeriodicPass } from '../store/periodic-pass.ts';
import type { RehearsalLog } from '../store/rehearsal-log.ts';
import { claimEnding, findHeld, letGo, type ClosedRehearsal, type HeldRehearsal } from './held-rehearsal.ts';
import { loggedAs, logShift } from './rehearsal-dialog-state.ts';
import { rehearsalEvidence } from './rehearsal-evidence.ts';

/**
 * A rehearsal is listed a moment before its state is first saved; an entry with no state is taken
 * for one whose first turn failed only once it is this old.
 */
const FIRST_SAVE_GRACE_MS = 60 * 60_000;

export interface AbandonedRehearsalParts {
  /** The bot state's store: conversations' state, the rehearsal log, the list of rehearsals under way. */
  store: KeyValueStore;
  open: OpenRehearsals;
  /** The bot's own: a rehearsal is kept under the lease its conversation's turns take. */
  turns: ConversationTurns;
  library: Library;
  log: RehearsalLog;
  parts: RehearsalParts;
  evidence: EvidenceStore;
  references?: ConversationReferences;
  /**
   * A rehearsal left this long since its last turn is kept as abandoned. Infinity: none is (the pass
   * only clears the list of rehearsals whose state is gone, so it never holds a learner for ever).
   */
  idleMs: number;
  /** The bot state's time to live (STATE_EXPIRY_DAYS), given again to the state written here. */
  stateTtlMs?: number;
  logger: Logger;
  now?: () => Date;
}

export class AbandonedRehearsals {
  private readonly periodic: PeriodicPass;
  private readonly now: () => Date;

  constructor(private readonly parts: AbandonedRehearsalParts) {
    this.periodic = new PeriodicPass(() => this.keepIdle(), parts.logger, 'unfinished rehearsals not kept');
    this.now = parts.now ?? (() => new Date());
  }

  /** Keeps every rehearsal left long enough; resolves to how many were kept as evidence. */
  async keepIdle(): Promise<number> {
    let kept = 0;
    for (const entry of await this.parts.open.all()) {
      try {
        if (await this.keepIfIdle(entry)) kept++;
      } catch (error) {
        // One that cannot be kept now (the store failing) is tried again on the next pass.
        this.parts.logger.warn(
          { rehearsal: entry.rehearsalId, err: { name: (error as Error).name, message: (error as Error).message } },
          'unfinished rehearsal not kept; will try again',
        );
      }
    }
    return kept;
  }

  /** Runs a pass every `intervalMs` until stopped. */
  start(intervalMs = 15 * 60_000): void {
    this.periodic.start(intervalMs);
  }

  stop(): void {
    this.periodic.stop();
  }

  private async keepIfIdle(entry: OpenRehearsal): Promise<boolean> {
    const { store, turns } = this.parts;
    const held = await findHeld(store, entry.stateKey, entry.rehearsalId);
    if (!held) {
      await this.clearGone(entry);
      return false;
    }
    if (!this.isIdle(held)) return false;
    // Under the lease its learner's turns take, and read again under it: they may have come back.
    return turns.run(entry.conversation, async () => {
      const now = await findHeld(store, entry.stateKey, entry.rehearsalId);
      return now !== undefined && this.isIdle(now) && this.keep(entry, now);
    });
  }

  private isIdle({ state }: HeldRehearsal): boolean {
    const last = Date.parse(state.lastTurnAt ?? state.startedAt);
    return !Number.isFinite(last) || this.now().getTime() - last >= this.parts.idleMs;
  }

  /** An entry whose rehearsal its conversation no longer holds: it ended, or moved, or its state is gone. */
  private async clearGone(entry: OpenRehearsal): Promise<void> {
    if (this.now().getTime() - Date.parse(entry.startedAt) < FIRST_SAVE_GRACE_MS) return;
    if (!(await this.parts.evidence.get(entry.rehearsalId)) && this.parts.idleMs !== Infinity)
      // Its state expired before a pass could keep it (no pass ran for longer than STATE_EXPIRY_DAYS), or was erased.
      this.parts.logger.warn({ rehearsal: entry.rehearsalId }, 'unfinished rehearsal gone before it could be kept');
    // Only the entry for where it was: one taken up elsewhere is listed there, and stays.
    await this.parts.open.remove(entry.rehearsalId, entry.stateKey);
  }

  private async keep(entry: OpenRehearsal, held: HeldRehearsal): Promise<boolean> {
    const { library, log, parts, evidence, open, references, logger } = this.parts;
    const { state } = held;
    // Ending, and its evidence saved: its own conversation shows the debrief on the learner's next message.
    if (state.ending && (await evidence.get(state.rehearsalId))) {
      await open.remove(entry.rehearsalId, entry.stateKey);
      return false;
    }
    const scenario = library.scenarios.find((s) => s.id === state.scenarioId);
    const rehearsal = scenario && restored(scenario, parts, state.rehearsal);
    if (!scenario || !rehearsal) {
      // As the rehearsal itself would on the learner's next message: closed without a score.
      logger.warn({ rehearsal: entry.rehearsalId }, 'unfinished rehearsal cannot be scored: its scenario is gone, or its state unreadable');
      await this.release(entry, held, 'dropped');
      return false;
    }
    if (rehearsal.turnCount < 2) {
      // Left before the learner said anything: there is nothing to keep.
      await this.release(entry, held, 'dropped');
      return false;
    }
    // Claimed first, checked against what was read: no other conversation can take it up from here on.
    const claimed = await claimEnding(this.parts.store, entry.stateKey, held, this.parts.stateTtlMs);
    if (!claimed) return false;
    // A turn committed whose answer was never logged (the learner left as it failed): their words still count.
    const last = state.lastExchange;
    if (last && !(await log.holds(state.rehearsalId, loggedAs(state, last)))) await log.append(state.rehearsalId, loggedAs(state, last));
    const endReason: EndReason = rehearsal.ended ? (rehearsal.endReason ?? 'learner-ended') : 'abandoned';
    const { record } = await rehearsalEvidence({ library, log, parts }, scenario, rehearsal, state, endReason);
    if (!record) {
      logger.warn({ rehearsal: entry.rehearsalId }, 'unfinished rehearsal cannot be scored: none of its turns could be read back');
      await this.release(entry, claimed, 'dropped');
      return false;
    }
    if (references && typeof entry.reference === 'object' && entry.reference !== null)
      await references.remember(record.id, entry.reference);
    await evidence.save(record);
    await log.remove(state.rehearsalId, rehearsal.turnCount + logShift(state)).catch(() => undefined);
    await this.release(entry, claimed, 'abandoned');
    logger.info({ rehearsal: entry.rehearsalId, turns: rehearsal.turnCount }, 'unfinished rehearsal kept as abandoned');
    return true;
  }

  /** Takes the rehearsal out of its conversation, with a note for the learner, and off the list. */
  private async release(entry: OpenRehearsal, held: HeldRehearsal, how: ClosedRehearsal['how']): Promise<void> {
    const released = await letGo(this.parts.store, entry.stateKey, held, { title: entry.title, how }, this.parts.stateTtlMs);
    if (!released) {
      // Changed under the lease: only a process that outlived its lease does that. What was kept stays
      // kept, and the rehearsal stays listed, for the next pass to look at it again.
      this.parts.logger.warn({ rehearsal: entry.rehearsalId }, 'unfinished rehearsal: its conversation changed while it was being kept');
      return;
    }
    await this.parts.open.remove(entry.rehearsalId, entry.stateKey);
  }
}

/** The rehearsal from its stored state, or undefined if this version cannot read it. */
function restored(scenario: Parameters<typeof Rehearsal.restore>[0], parts: RehearsalParts, stored: unknown): Rehearsal | undefined {
  try {
    return Rehearsal.restore(scenario, parts, stored);
  } catch {
    return undefined;
  }
}
