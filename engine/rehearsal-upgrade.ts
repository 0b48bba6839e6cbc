/**
 * Rehearsals stored before state was versioned (the whole transcript and the scripted customer's
 * untagged state) carry on after an upgrade: their transcript is read once, here, into exchanges,
 * and their state becomes the current, fixed-size kind.
 */
import { z } from 'zod';
import { readConversation } from './conversation-reading.ts';
import { SCRIPTED_CUSTOMER_IDENTITY } from './scripted-customer.ts';
import { Rehearsal, REHEARSAL_STATE_VERSION, type Exchange, type RehearsalParts, type RehearsalState } from './rehearsal.ts';
import type { Scenario } from './scenario-schema.ts';
import { TurnSchema } from './transcript.ts';

/** The shape written before versioning: `{scenarioId, turns, customer}`. */
const UnversionedStateSchema = z.object({
  scenarioId: z.string().min(1),
  turns: z.array(TurnSchema).min(1),
  customer: z.looseObject({ mood: z.number().int().min(0).max(4), ended: z.boolean(), endReason: z.string().optional() }),
});

export function isUnversionedRehearsal(stored: unknown): boolean {
  return UnversionedStateSchema.safeParse(stored).success && (stored as { version?: unknown }).version === undefined;
}

export async function upgradeRehearsal(
  scenario: Scenario,
  parts: RehearsalParts,
  stored: unknown,
): Promise<{ rehearsal: Rehearsal; exchanges: Exchange[] }> {
  const legacy = UnversionedStateSchema.parse(stored);
  const { turns, customer } = legacy;
  const readings = readConversation(scenario, turns).learnerTurns;
  let scorerState = parts.scorer.open(scenario);
  const exchanges: Exchange[] = [];
  for (const reading of readings) {
    const scored = await parts.scorer.scoreTurn({ scenario, state: scorerState, reading, customerGotWorse: false });
    scorerState = scored.state;
    exchanges.push({
      turn: reading.turn,
      learner: reading.text,
      reading,
      customer: turns[reading.turn]?.text ?? '',
      feedback: scored.feedback,
    });
  }
  const lastCustomer = [...turns].reverse().find((t) => t.role === 'customer');
  const endReason = customer.endReason as RehearsalState['endReason'];
  const state: RehearsalState = {
    version: REHEARSAL_STATE_VERSION,
    scenarioId: legacy.scenarioId,
    opening: turns[0]!.text,
    turnCount: turns.length,
    lastCustomerText: lastCustomer?.text ?? turns[0]!.text,
    approvalSought: readings.at(-1)?.approvalSought ?? false,
    mood: customer.mood,
    ended: customer.ended,
    ...(endReason ? { endReason } : {}),
    // Only the scripted customer existed before versioning, so the state is its version 1.
    customer: { kind: SCRIPTED_CUSTOMER_IDENTITY.kind, version: 1, ...customer },
    scorer: scorerState,
  };
  return { rehearsal: Rehearsal.restore(scenario, parts, state), exchanges };
}
