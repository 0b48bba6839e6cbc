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

export function routeFor(authority: Authority, action: ActionKind, amount?: number): AuthorityRoute {
  const forbidden = authority.never.find((n) => n.action === action);
  if (forbidden) return { kind: 'forbidden', what: forbidden.what };
  const own = authority.mayOffer.find((m) => m.action === action);
  if (own && (own.upTo === undefined || amount === undefined || amount <= own.upTo)) {
    return own.upTo === undefined ? { kind: 'own' } : { kind: 'own', upTo: own.upTo };
  }
  const approval = authority.needsApproval.find(
    (n) => n.action === action && (n.above === undefined || amount === undefined || amount > n.above),
  );
  if (approval) return { kind: 'approval', approver: approval.approver, how: approval.how };
  return own?.upTo === undefined ? { kind: 'none' } : { kind: 'none', upTo: own.upTo };
}
