/**
 * Whether a learner may make an offer on their own, only with approval, or never, given a
 * scenario's authority. The validator uses it on a scenario's options; the scorer on what a
 * learner actually offered.
 */
import type { ActionKind, Authority } from './scenario-schema.ts';

export type AuthorityRoute =
  | { kind: 'own'; upTo?: number }
  | { kind: 'approval'; approver: string; how: string }
  | { kind: 'forbidden'; what: string }
  /** Neither the learner nor anyone they can ask may grant it; `upTo` is the learner's cap, if any. */
  | { kind: 'none'; upTo?: number };

/** What decides which authority entries apply to an offer, beyond its action and amount. */
export interface OfferCircumstances {
  /** The named form of the action the learner's words chose ("a same-day collection"). */
  form?: string;
  /** The hidden facts the learner has uncovered so far, for entries with a condition. */
  factsUncovered?: ReadonlySet<string>;
}

type Entry = { action: ActionKind; form?: string | undefined; onlyIf?: { factUncovered: string } | undefined };

export function routeFor(
  authority: Authority,
  action: ActionKind,
  amount?: number,
  circumstances: OfferCircumstances = {},
): AuthorityRoute {
  const { mayOffer, needsApproval, never } = entriesFor(authority, action, circumstances);
  const forbidden = never[0];
  if (forbidden) return { kind: 'forbidden', what: forbidden.what };
  const own = mayOffer[0];
  if (own && (own.upTo === undefined || amount === undefined || amount <= own.upTo)) {
    return own.upTo === undefined ? { kind: 'own' } : { kind: 'own', upTo: own.upTo };
  }
  const approval = needsApproval.find((n) => n.above === undefined || amount === undefined || amount > n.above);
  if (approval) return { kind: 'approval', approver: approval.approver, how: approval.how };
  return own?.upTo === undefined ? { kind: 'none' } : { kind: 'none', upTo: own.upTo };
}

/**
 * The entries for an action that apply: those for the form the learner named, or whose condition
 * the conversation has met, when there are any; otherwise the plain entries (no form, no condition).
 * A named form or a met condition is more specific, so it overrides the plain rule for the action.
 */
function entriesFor(authority: Authority, action: ActionKind, { form, factsUncovered }: OfferCircumstances): Authority {
  const applies = (entry: Entry) =>
    entry.action === action &&
    (entry.form === undefined || entry.form === form) &&
    (entry.onlyIf === undefined || (factsUncovered?.has(entry.onlyIf.factUncovered) ?? false));
  const specific = (entry: Entry) => entry.form !== undefined || entry.onlyIf !== undefined;
  const lists = {
    mayOffer: authority.mayOffer.filter(applies),
    needsApproval: authority.needsApproval.filter(applies),
    never: authority.never.filter(applies),
  };
  const anySpecific = [...lists.mayOffer, ...lists.needsApproval, ...lists.never].some(specific);
  if (!anySpecific) return lists;
  return {
    mayOffer: lists.mayOffer.filter(specific),
    needsApproval: lists.needsApproval.filter(specific),
    never: lists.never.filter(specific),
  };
}
