/**
 * Offers and promises beyond the learner's authority: blockers that hold `authority` at 0.
 *
 * @remarks
 * An offer that needs approval is a breach only when made as a done deal before the learner has
 * sought that approval; offered "subject to my manager agreeing" it is the right way to ask. An
 * offer the scenario's authority says nothing about is not a breach: the tutor marks against the
 * brief, and the brief is silent.
 */
import type { LearnerTurn } from './learner-turn.ts';
import { formatPounds } from './money.ts';
import type { Breach } from './score-report.ts';

export function findBreaches(turns: readonly LearnerTurn[]): Breach[] {
  const breaches: Breach[] = [];
  for (const turn of turns) {
    for (const offer of turn.offers) {
      const { route } = offer;
      const amount = offer.amount === undefined ? '' : ` of ${formatPounds(offer.amount)}`;
      let rule: string | undefined;
      if (route.kind === 'forbidden') rule = `never allowed: ${route.what}`;
      else if (offer.conditional) continue;
      else if (route.kind === 'none') {
        rule = `${offer.action}${amount} is over the ${formatPounds(route.upTo)} limit, with no one to approve more`;
      } else if (route.kind === 'approval' && !offer.afterApproval) {
        rule = `${offer.action}${amount} needs the approval of ${route.approver} (${route.how})`;
      }
      if (rule && !breaches.some((b) => b.turn === turn.turn && b.action === offer.action)) {
        breaches.push({
          turn: turn.turn,
          quote: offer.quote,
          action: offer.action,
          ...(offer.amount === undefined ? {} : { amount: offer.amount }),
          rule,
        });
      }
    }
  }
  return breaches;
}
