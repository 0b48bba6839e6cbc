/**
 * The rules scorer: levels a transcript on each of its scenario's rubric dimensions, with the
 * evidence and one suggestion for each, lists authority breaches as blockers, and keeps a ledger
 * of the commitments the learner made. Deterministic: the same transcript always scores the same.
 */
import { findBreaches } from './authority-breaches.ts';
import { coachingHint } from './coaching-hint.ts';
import { IncompatibleStateError, type ComponentIdentity } from './component-identity.ts';
import { readConversation } from './conversation-reading.ts';
import { JUDGES } from './dimension-judges.ts';
import type { LearnerTurn } from './learner-turn.ts';
import type { Scenario } from './scenario-schema.ts';
import type { ScoreReport, TurnScore } from './score-report.ts';
import type { Scorer, TurnFeedback } from './scorer.ts';
import type { Turn } from './transcript.ts';

/** Bump whenever a rule or judge change could level the same transcript differently. */
export const RULES_SCORER_IDENTITY: ComponentIdentity = { kind: 'rules', id: 'rules-scorer', version: '2026.11.30.17' };

/** The rules scorer keeps nothing between turns: each turn's reading carries what the next needs. */
const STATE = { kind: 'rules', version: 1 } as const;

/** Settings of the rules scorer; it has none yet, but is created like every other scorer. */
export type RulesScorerSettings = Record<string, never>;

export function createRulesScorer(_settings: RulesScorerSettings = {}): Scorer {
  return {
    identity: RULES_SCORER_IDENTITY,
    dimensions: Object.keys(JUDGES),
    open: () => ({ ...STATE }),
    async scoreTurn({ scenario, state, reading, customerGotWorse }) {
      if (state.kind !== STATE.kind || state.version !== STATE.version) throw new IncompatibleStateError('the rules scorer', state);
      return { feedback: scoreOneTurn(scenario, reading, customerGotWorse), state };
    },
    async score({ scenario, turns, readings, feedback }) {
      const learnerTurns = readings ?? readConversation(scenario, turns).learnerTurns;
      return scoreReadings(scenario, learnerTurns, feedback);
    },
  };
}

/** Scores a transcript in one call: for the command line, the bench and tests. */
export function scoreTranscript(scenario: Scenario, turns: readonly Turn[]): ScoreReport {
  return scoreReadings(scenario, readConversation(scenario, turns).learnerTurns);
}

/** One learner turn on its own: its levels, its breaches and a coaching hint if it was weak. */
function scoreOneTurn(scenario: Scenario, reading: LearnerTurn, customerGotWorse: boolean): TurnFeedback {
  const breaches = findBreaches([reading]);
  const levels: TurnScore['levels'] = {};
  let listeningSuggestion: string | undefined;
  for (const id of scenario.dimensions) {
    const judge = JUDGES[id];
    if (!judge) continue;
    const result = judge({ scenario, turns: [reading], breaches, whole: false });
    levels[id] = result.level;
    if (id === 'listening') listeningSuggestion = result.suggestion;
  }
  const hint = coachingHint({ turn: reading, breaches, customerGotWorse, ...(listeningSuggestion ? { listeningSuggestion } : {}) });
  return { turn: reading.turn, levels, breaches, ...(hint ? { hint } : {}) };
}

/**
 * The whole rehearsal from its readings. Per-turn levels come from the feedback given during the
 * rehearsal when there was one, so nothing is judged twice.
 */
function scoreReadings(scenario: Scenario, learnerTurns: readonly LearnerTurn[], feedback?: readonly TurnFeedback[]): ScoreReport {
  const breaches = findBreaches(learnerTurns);
  const dimensions: ScoreReport['dimensions'] = {};
  for (const id of scenario.dimensions) {
    const judge = JUDGES[id];
    if (!judge) continue;
    const result = judge({ scenario, turns: learnerTurns, breaches, whole: true });
    dimensions[id] = learnerTurns.length === 0 ? { ...result, level: null } : result;
  }
  const given = new Map((feedback ?? []).map((f) => [f.turn, f]));
  const turns: TurnScore[] = learnerTurns.map((turn) => {
    const { levels, hint } = given.get(turn.turn) ?? scoreOneTurn(scenario, turn, false);
    return { turn: turn.turn, levels, ...(hint ? { hint } : {}) };
  });
  const commitments = learnerTurns.flatMap((t) =>
    t.commitments.map(({ turn, quote, who, what, when }) => ({ turn, quote, who, what, ...(when ? { when } : {}) })),
  );
  return { scenario: scenario.id, dimensions, turns, breaches, commitments };
}
