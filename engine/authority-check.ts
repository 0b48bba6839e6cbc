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
  /** Over the learner's cap, with no one they can ask for more. */
  | { kind: 'none'; upTo: number }
  /**
   * The scenario's authority says nothing about the action. A tutor marks against the brief, so
   * an offer the brief is silent on is not a breach; the validator still asks an option's author
   * to list its action.
   */
  | { kind: 'unlisted' };

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
  const kin = KIN[action];
  if (kin && !listsAction(authority, action)) return routeFor(authority, kin, amount, circumstances);
  const { mayOffer, needsApproval, never } = entriesFor(authority, action, circumstances);
  const forbidden = never[0];
  if (forbidden) return { kind: 'forbidden', what: forbidden.what };
  const own = mayOffer[0];
  if (own && (own.upTo === undefined || amount === undefined || amount <= own.upTo)) {
    return own.upTo === undefined ? { kind: 'own' } : { kind: 'own', upTo: own.upTo };
  }
  const approval = needsApproval.find((n) => n.above === undefined || amount === undefined || amount > n.above);
  if (approval) return { kind: 'approval', approver: approval.approver, how: approval.how };
  return own?.upTo === undefined ? { kind: 'unlisted' } : { kind: 'none', upTo: own.upTo };
}

/**
 * An action whose authority, when a scenario does not list it, is its kin's: part of the money
 * back is a refund of that much, so it needs what a refund needs.
 */
const KIN: Partial<Record<ActionKind, ActionKind>> = { 'partial-refund': 'refund' };

function listsAction(authority: Authority, action: ActionKind): boolean {
  return [...authority.mayOffer, ...authority.needsApproval, ...authority.never].some((entry) => entry.action === action);
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
