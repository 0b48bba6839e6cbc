/**
 * A scorer for tests of the conversation flow and of anything that stores or shows scores: it
 * gives every dimension the level it is told, records every call, and can be told to fail, so
 * those tests do not depend on what the rules make of a reply.
 */
import type { ComponentIdentity } from './component-identity.ts';
import type { CoachingHint } from './coaching-hint.ts';
import type { ScoreReport } from './score-report.ts';
import type { ScoreInput, ScoreTurnInput, Scorer } from './scorer.ts';

export interface MockScorerSettings {
  /** The level every dimension gets (default 2). */
  level?: number;
  /** A hint given after every learner turn. */
  hint?: CoachingHint;
  /** Dimensions it claims a judge for (default: the eight of the shipped rubric). */
  dimensions?: string[];
}

export type MockScorerCall = { method: 'scoreTurn'; input: ScoreTurnInput } | { method: 'score'; input: ScoreInput };

export interface MockScorer extends Scorer {
  readonly calls: MockScorerCall[];
}

const MOCK_SCORER_IDENTITY: ComponentIdentity = { kind: 'mock', id: 'mock-scorer', version: '1' };

const SHIPPED_DIMENSIONS = ['listening', 'questioning', 'defusing', 'negotiation', 'authority', 'unresolved', 'informing', 'reporting'];

export function createMockScorer(settings: MockScorerSettings = {}): MockScorer {
  const calls: MockScorerCall[] = [];
  const level = settings.level ?? 2;
  return {
    identity: MOCK_SCORER_IDENTITY,
    dimensions: settings.dimensions ?? SHIPPED_DIMENSIONS,
    calls,
    open: () => ({ kind: 'mock', version: 1 }),
    async scoreTurn(input) {
      calls.push({ method: 'scoreTurn', input });
      const levels = Object.fromEntries(input.scenario.dimensions.map((id) => [id, level]));
      return {
        feedback: { turn: input.reading.turn, levels, breaches: [], ...(settings.hint ? { hint: settings.hint } : {}) },
        state: input.state,
      };
    },
    async score(input) {
      calls.push({ method: 'score', input });
      const learnerTurns = input.turns.flatMap((t, i) => (t.role === 'learner' ? [i + 1] : []));
      const report: ScoreReport = {
        scenario: input.scenario.id,
        dimensions: Object.fromEntries(
          input.scenario.dimensions.map((id) => [id, { level, max: 3 as const, evidence: [], suggestion: `Mock suggestion for ${id}.` }]),
        ),
        turns: learnerTurns.map((turn) => ({ turn, levels: Object.fromEntries(input.scenario.dimensions.map((id) => [id, level])) })),
        breaches: [],
        commitments: [],
      };
      return report;
    },
  };
}
