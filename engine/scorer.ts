/**
 * The scorer behind one small interface, so the rules scorer, a model-driven judge and the mock
 * used by dialog tests are interchangeable, and `bench/scorer-agreement.ts` measures any of them
 * against the labelled set the same way.
 *
 * @remarks
 * Scoring comes in two parts. `scoreTurn` runs once per learner turn, as it happens, and sees only
 * that turn: its cost does not grow with the rehearsal, and it gives practice-mode coaching and the
 * per-turn levels. `score` levels the whole rehearsal once, at the end.
 */
import type { CoachingHint } from './coaching-hint.ts';
import type { ComponentIdentity, ComponentState } from './component-identity.ts';
import type { TokenUsage } from './language-model.ts';
import type { LearnerTurn } from './learner-turn.ts';
import type { Scenario } from './scenario-schema.ts';
import type { Breach, ScoreReport, TurnScore } from './score-report.ts';
import type { Turn } from './transcript.ts';

/** What a scorer makes of one learner turn as it happens. */
export interface TurnFeedback extends TurnScore {
  /** Offers and promises beyond the learner's authority in this turn. */
  breaches: Breach[];
  /** One hint for practice mode after a weak reply; shown only in practice mode. */
  hint?: CoachingHint;
}

export interface ScoreTurnInput {
  scenario: Scenario;
  state: ComponentState;
  reading: LearnerTurn;
  /** The customer's mood went up (got worse) in answer to this turn. */
  customerGotWorse: boolean;
}

export interface ScoreInput {
  scenario: Scenario;
  /** The whole transcript, customer and learner turns in order. */
  turns: readonly Turn[];
  /** The rules' reading of each learner turn, when the caller kept them: saves reading them again. */
  readings?: readonly LearnerTurn[];
  /** The per-turn feedback given during the rehearsal, when there was one. */
  feedback?: readonly TurnFeedback[];
  /** Tokens the rehearsal's customer has used already: they count towards the spending cap. */
  modelUsage?: TokenUsage;
}

export interface Scorer {
  readonly identity: ComponentIdentity;
  /** The rubric dimensions this scorer has a judge for; a scenario naming another cannot be played. */
  readonly dimensions: readonly string[];
  /** The state a new rehearsal starts from. */
  open(scenario: Scenario): ComponentState;
  scoreTurn(input: ScoreTurnInput): Promise<{ feedback: TurnFeedback; state: ComponentState }>;
  score(input: ScoreInput): Promise<ScoreReport>;
}
