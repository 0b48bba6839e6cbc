/**
 * Practice mode's coaching: after a weak reply, one short hint naming the dimension it concerns,
 * shown apart from the customer's words. A reply is weak when it crosses the learner's authority,
 * or does one of the things the units say make a customer's mood worse, whatever the customer's
 * mood at the time; only the listening hint waits for the customer to get worse, since it has no
 * behaviour of its own to point at. Read from the same reading of the reply that moved the
 * customer, so a hint never contradicts what the customer did, or what the learner just did.
 */
import type { LearnerTurn } from './learner-turn.ts';
import type { Breach } from './score-report.ts';

export interface CoachingHint {
  dimension: string;
  text: string;
}

export interface HintInput {
  turn: LearnerTurn;
  /** The breaches found in this turn. */
  breaches: readonly Breach[];
  /** The listening judge's suggestion for this turn, if it has one. */
  listeningSuggestion?: string;
  customerGotWorse: boolean;
}

export function coachingHint({ turn, breaches, listeningSuggestion, customerGotWorse }: HintInput): CoachingHint | undefined {
  const has = (...kinds: Array<keyof LearnerTurn['moves']>) => kinds.some((k) => (turn.moves[k]?.length ?? 0) > 0);
  const breach = breaches.find((b) => b.turn === turn.turn);
  if (breach) {
    return {
      dimension: 'authority',
      text: `That goes beyond your authority: ${breach.rule}. Say what you can do yourself, and seek approval for anything more.`,
    };
  }
  if (has('calmDown', 'blame', 'dismiss')) {
    return {
      dimension: 'defusing',
      text: 'Telling a customer to calm down, blaming them or brushing the problem off makes them angrier. Acknowledge how they feel and say what you can do.',
    };
  }
  if (has('jargon'))
    return { dimension: 'defusing', text: 'Use plain words: say what the customer will notice, not internal terms or abbreviations.' };
  // A no that comes with a reason, a limit, an approval sought or somewhere else to go has its
  // reason: the hint must never tell the learner they gave none.
  if (turn.refusals.length > 0 && !has('reason', 'stateLimit', 'seekApproval', 'refer')) {
    return {
      dimension: 'unresolved',
      text: 'You said no without a reason. Give the reason (the policy or law behind it) and what the customer can do instead.',
    };
  }
  // The behaviour earns the hint whatever the customer's mood: a calm customer is let down by a
  // vague promise too, only later.
  if (has('vaguePromise', 'placate') && !turn.commitments.some((c) => c.when)) {
    return {
      dimension: 'informing',
      text: 'A promise with no "who" or "when" leaves the customer guessing. Say who will do what, and by when.',
    };
  }
  if (!customerGotWorse) return undefined;
  return { dimension: 'listening', text: listeningSuggestion || 'Show you heard what the customer just said before moving on.' };
}
