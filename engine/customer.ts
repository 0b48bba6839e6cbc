/**
 * The customer a learner talks to, behind one small interface, so that the scripted customer, a
 * model-driven one and the mock used by dialog tests are interchangeable.
 *
 * @remarks
 * A customer is a service, not a conversation: everything it needs to carry on a rehearsal is in
 * the JSON state it returns, which the host stores between turns (and across restarts). It is given
 * the rules' reading of each learner turn (`learner-turn.ts`), the step every customer and scorer
 * shares, so what the customer reacts to and what the scorer levels never disagree.
 */
import type { ComponentIdentity, ComponentState } from './component-identity.ts';
import type { LearnerTurn } from './learner-turn.ts';
import type { CustomerTurnNote } from './model-use.ts';
import type { Scenario } from './scenario-schema.ts';

/** Why a rehearsal ended; `abandoned`: left unfinished, and kept as it stood (dialogs/abandoned-rehearsals.ts). */
export const END_REASONS = ['agreed', 'referred', 'escalated', 'learner-ended', 'length-limit', 'abandoned'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** What the host needs to know of the customer after each reply, whatever kind of customer it is. */
export interface CustomerStatus {
  /** 0 calm to 4 furious. */
  mood: number;
  /** The customer has ended the conversation (an agreement, a referral or an escalation accepted). */
  ended: boolean;
  endReason?: EndReason;
}

export interface CustomerReply {
  text: string;
  state: ComponentState;
  status: CustomerStatus;
  /** A model-driven customer's calls for this turn, their tokens, and whether the scripted words stood in. */
  note?: CustomerNote;
}

/** A turn's note, as the customer gives it (the host adds the turn number). */
export type CustomerNote = Omit<CustomerTurnNote, 'turn'>;

export interface CustomerOpenInput {
  scenario: Scenario;
  /** Varies the wording; the same seed gives the same rehearsal. */
  seed: string;
}

export interface CustomerTurnInput {
  scenario: Scenario;
  state: ComponentState;
  /** What the learner said, as typed. */
  text: string;
  /** The rules' reading of it. */
  reading: LearnerTurn;
}

export interface Customer {
  readonly identity: ComponentIdentity;
  /** The customer's first words. */
  open(input: CustomerOpenInput): Promise<CustomerReply>;
  /** The customer's answer to one learner turn. Throws IncompatibleStateError for state it did not write. */
  reply(input: CustomerTurnInput): Promise<CustomerReply>;
}
