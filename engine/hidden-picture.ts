/**
 * What the learner could not see during the rehearsal, shown once it is over: the cause, which
 * hidden facts came out and which did not, what the customer wanted and what the organisation
 * could offer. A fact came out when the customer told it, whether or not a question asked for it
 * (a question that asked for it is answered with it).
 */
import { factsToldIn } from './facts-told.ts';
import type { Scenario } from './scenario-schema.ts';
import type { Turn } from './transcript.ts';
import { readCustomerMessage } from './utterance.ts';

export interface HiddenPicture {
  cause: string;
  /** The hidden facts the conversation brought out, as the scenario states them. */
  uncovered: string[];
  /** The hidden facts it never reached; those needed for the cause first. */
  missed: string[];
  wanted: string;
  /** The workable options, and who could agree more. */
  couldOffer: string[];
}

export function hiddenPicture(scenario: Scenario, turns: readonly Turn[]): HiddenPicture {
  const found = new Set<string>();
  for (const turn of turns) {
    if (turn.role !== 'customer') continue;
    // The scripted customer tells a fact in one of its own lines: found word for word, at no cost.
    // Other words (a model's) are read for the facts they tell.
    const said = scenario.facts.filter((f) => f.says.some((line) => turn.text.includes(line.trim())));
    for (const fact of said.length > 0 ? said.map((f) => f.id) : factsToldIn(readCustomerMessage(turn.text), scenario)) found.add(fact);
  }
  const byCauseFirst = [...scenario.facts].sort((a, b) => Number(b.cause) - Number(a.cause));
  const approvals = scenario.authority.needsApproval.map(
    (n) => `With ${n.approver}'s approval: ${n.action.replace(/-/g, ' ')}${n.above === undefined ? '' : ` above £${n.above}`}`,
  );
  return {
    cause: scenario.cause.summary,
    uncovered: byCauseFirst.filter((f) => found.has(f.id)).map((f) => f.fact),
    missed: byCauseFirst.filter((f) => !found.has(f.id)).map((f) => f.fact),
    wanted: scenario.customer.wants,
    couldOffer: [...scenario.options.filter((o) => o.workable).map((o) => o.description), ...approvals],
  };
}
