/**
 * Drives a rehearsal in tests as a learner would, keeping its exchanges as a host does, with the
 * scripted customer and the rules scorer unless other parts are given.
 */
import { Rehearsal, scoreRehearsal, transcriptOf, type Exchange, type RehearsalParts } from '../engine/rehearsal.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { createScriptedCustomer, readScriptedState, type ScriptedState } from '../engine/scripted-customer.ts';

export const scriptedParts = (): RehearsalParts => ({ customer: createScriptedCustomer(), scorer: createRulesScorer() });

export interface Play {
  rehearsal: Rehearsal;
  exchanges: Exchange[];
  /** The learner says this; resolves to the customer's reply. */
  say(text: string): Promise<string>;
  /** The scripted customer's state now. */
  readonly customer: ScriptedState;
  readonly turns: ReturnType<typeof transcriptOf>;
  readonly ended: boolean;
  readonly endReason: Rehearsal['endReason'];
  score(): ReturnType<typeof scoreRehearsal>;
}

export async function play(scenario: Scenario, seed?: string, parts: RehearsalParts = scriptedParts()): Promise<Play> {
  return around(await Rehearsal.start(scenario, parts, seed), scenario, parts, []);
}

/** Carries on a rehearsal from stored state, with the exchanges kept so far. */
export function resume(scenario: Scenario, stored: unknown, exchanges: Exchange[], parts: RehearsalParts = scriptedParts()): Play {
  return around(Rehearsal.restore(scenario, parts, stored), scenario, parts, [...exchanges]);
}

function around(rehearsal: Rehearsal, scenario: Scenario, parts: RehearsalParts, exchanges: Exchange[]): Play {
  return {
    rehearsal,
    exchanges,
    async say(text) {
      const exchange = await rehearsal.learnerSays(text);
      exchanges.push(exchange);
      return exchange.customer;
    },
    get customer() {
      return readScriptedState(rehearsal.snapshot.customer);
    },
    get turns() {
      return transcriptOf(rehearsal.opening, exchanges);
    },
    get ended() {
      return rehearsal.ended;
    },
    get endReason() {
      return rehearsal.endReason;
    },
    score: () => scoreRehearsal(parts.scorer, scenario, rehearsal.opening, exchanges),
  };
}
