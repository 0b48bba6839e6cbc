/**
 * The customer and the scorer a rehearsal uses, chosen by the settings `CUSTOMER_MODE` and
 * `JUDGE_MODE`: the one place the modes are turned into parts, for the bot, the terminal and the
 * benchmarks alike.
 */
import type { Customer } from '../engine/customer.ts';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import type { Scorer } from '../engine/scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';

export const CUSTOMER_MODES = ['scripted'] as const;
export const JUDGE_MODES = ['rules'] as const;

export interface PartSettings {
  CUSTOMER_MODE: (typeof CUSTOMER_MODES)[number];
  JUDGE_MODE: (typeof JUDGE_MODES)[number];
}

function createCustomer(settings: Pick<PartSettings, 'CUSTOMER_MODE'>): Customer {
  switch (settings.CUSTOMER_MODE) {
    case 'scripted':
      return createScriptedCustomer();
  }
}

export function createScorer(settings: Pick<PartSettings, 'JUDGE_MODE'>): Scorer {
  switch (settings.JUDGE_MODE) {
    case 'rules':
      return createRulesScorer();
  }
}

export function rehearsalParts(settings: PartSettings): RehearsalParts {
  return { customer: createCustomer(settings), scorer: createScorer(settings) };
}

/** What `loadLibrary` checks dimensions against: the chosen scorer's judges. */
export function scorableBy(scorer: Scorer): { name: string; dimensions: readonly string[] } {
  return { name: `${scorer.identity.kind} scorer`, dimensions: scorer.dimensions };
}
