/**
 * The rules scorer: levels a transcript on each of its scenario's rubric dimensions, with the
 * evidence and one suggestion for each, lists authority breaches as blockers, and keeps a ledger
 * of the commitments the learner made. Deterministic: the same transcript always scores the same.
 */
import { findBreaches } from './authority-breaches.ts';
import { readConversation, type ConversationReading } from './conversation-reading.ts';
import { JUDGES } from './dimension-judges.ts';
import type { Scenario } from './scenario-schema.ts';
import type { ScoreReport, TurnScore } from './score-report.ts';
import type { Turn } from './transcript.ts';

export function scoreTranscript(scenario: Scenario, turns: readonly Turn[]): ScoreReport {
  return scoreReading(readConversation(scenario, turns));
}

export function scoreReading(reading: ConversationReading): ScoreReport {
  const { scenario, learnerTurns } = reading;
  const breaches = findBreaches(learnerTurns);
  const dimensions: ScoreReport['dimensions'] = {};
  for (const id of scenario.dimensions) {
    const judge = JUDGES[id];
    if (!judge) continue;
    const result = judge({ scenario, turns: learnerTurns, breaches, whole: true });
    dimensions[id] = learnerTurns.length === 0 ? { ...result, level: null } : result;
  }
  const turns: TurnScore[] = learnerTurns.map((turn) => {
    const levels: Record<string, number | null> = {};
    const own = breaches.filter((b) => b.turn === turn.turn);
    for (const id of scenario.dimensions) {
      const judge = JUDGES[id];
      if (judge) levels[id] = judge({ scenario, turns: [turn], breaches: own, whole: false }).level;
    }
    return { turn: turn.turn, levels };
  });
  const commitments = learnerTurns.flatMap((t) => t.commitments.map(({ turn, quote, who, what, when }) => ({ turn, quote, who, what, ...(when ? { when } : {}) })));
  return { scenario: scenario.id, dimensions, turns, breaches, commitments };
}
