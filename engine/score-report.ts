/** The scorer's output: what `servicesim score --json` prints and what a tutor reviews. */
import type { ActionKind } from './scenario-schema.ts';

export interface Evidence {
  turn: number;
  quote: string;
  reason: string;
}

export interface DimensionScore {
  /** 0–3, or null when the conversation gave no occasion for this dimension. */
  level: number | null;
  max: 3;
  evidence: Evidence[];
  /** What would have been better, with an example phrase. */
  suggestion: string;
}

export interface Breach {
  turn: number;
  quote: string;
  action: ActionKind;
  amount?: number;
  /** Which limit was crossed, and what the learner should have done instead. */
  rule: string;
}

export interface CommitmentRecord {
  turn: number;
  quote: string;
  who: string;
  what: string;
  /** When it was promised for; absent for a vague promise. */
  when?: string;
}

export interface TurnScore {
  turn: number;
  levels: Record<string, number | null>;
}

export interface ScoreReport {
  scenario: string;
  dimensions: Record<string, DimensionScore>;
  turns: TurnScore[];
  breaches: Breach[];
  commitments: CommitmentRecord[];
}
