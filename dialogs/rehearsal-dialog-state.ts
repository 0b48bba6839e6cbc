/**
 * What a rehearsal dialog keeps in its conversation's state, read by the dialog on each turn and,
 * for a rehearsal left unfinished, by the pass that keeps it as abandoned.
 */
import type { ComponentIdentity } from '../engine/component-identity.ts';
import type { Learner } from '../engine/evidence-record.ts';
import type { Exchange, RehearsalState } from '../engine/rehearsal.ts';

export type Mode = 'practice' | 'assessment';

/** The dialog's id on the stack, in the stored state too. */
export const REHEARSAL_DIALOG_ID = 'rehearsal';

export interface RehearsalDialogState {
  rehearsalId: string;
  scenarioId: string;
  mode: Mode;
  learner: Learner;
  startedAt: string;
  /** When the learner last took a turn (or the rehearsal began, or was taken up here): how long it has been left. */
  lastTurnAt?: string;
  /** Who played the customer; absent in rehearsals begun before it was kept. */
  customer?: ComponentIdentity;
  /** The current state, or (from before versioning) the whole transcript, upgraded on the next turn. */
  rehearsal: RehearsalState | Record<string, unknown>;
  /**
   * Saved just before the evidence is: the one reason to look the evidence up on a later turn, so an
   * ordinary turn costs no lookup. Absent in rehearsals that have not reached their evidence save.
   */
  ending?: true;
  /** Saved once the debrief card has been taken by the channel: only then is the next message a reflection. */
  debriefSent?: true;
  /** The last learner turn's exchange, committed with the state that counts it (see above). */
  lastExchange?: Exchange;
  /** The last turn whose answer was given late, by a later message (see answerAtLast). */
  answeredLate?: number;
}

/**
 * The rehearsal log keeps learner turns at 2, 4, 6…, where a customer's opening puts them; a
 * rehearsal the learner opens has them at 1, 3, 5…, so it logs each exchange one place on and reads
 * it back one place back. Its keys stay within those a learner's erasure removes (turn count + 2).
 */
export function logShift(state: RehearsalDialogState): number {
  return (state.rehearsal as Partial<RehearsalState>).openedBy === 'learner' ? 1 : 0;
}

export function loggedAs(state: RehearsalDialogState, exchange: Exchange): Exchange {
  const shift = logShift(state);
  return shift === 0 ? exchange : { ...exchange, turn: exchange.turn + shift };
}
