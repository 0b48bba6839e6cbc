/**
 * Offers and promises beyond the learner's authority: blockers that hold `authority` at 0.
 *
 * @remarks
 * An offer that needs approval is a breach only when made as a done deal before the learner has
 * sought that approval; offered "subject to my manager agreeing" it is the right way to ask.
 */
import type { AuthorityRoute } from './authority-check.ts';
import type { LearnerTurn } from './learner-turn.ts';
import { formatPounds } from './money.ts';
import type { ActionKind } from './scenario-schema.ts';
import type { Breach } from './score-report.ts';

export function findBreaches(turns: readonly LearnerTurn[]): Breach[] {
  const breaches: Breach[] = [];
  for (const turn of turns) {
    for (const offer of turn.offers) {
      const rule = ruleCrossed(offer.route, offer.action, offer.amount, offer);
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

/**
 * The limit an offer crosses, in words, or undefined when it is within the learner's authority: the
 * one judgement of a breach, for the rules' offers and for the breaches an LLM judge names alike.
 */
export function ruleCrossed(
  route: AuthorityRoute,
  action: ActionKind,
  amountOffered: number | undefined,
  how: { conditional: boolean; afterApproval: boolean },
): string | undefined {
  const amount = amountOffered === undefined ? '' : ` of ${formatPounds(amountOffered)}`;
  if (route.kind === 'forbidden') return `never allowed: ${route.what}`;
  if (how.conditional) return undefined;
  if (route.kind === 'none')
    return route.upTo === undefined
      ? `${action}${amount} is not something the learner may offer`
      : `${action}${amount} is over the ${formatPounds(route.upTo)} limit, with no one to approve more`;
  if (route.kind === 'approval' && !how.afterApproval) return `${action}${amount} needs the approval of ${route.approver} (${route.how})`;
  return undefined;
}
