/**
 * What makes a tutor look at a rehearsal first: the flags the review inbox shows beside each one and
 * filters by. Decided here, from the scorer's report alone, so every store files a record under the
 * same flags and the inbox, the API and the stores never disagree about what "very low" means.
 */
import type { ScoreReport } from './score-report.ts';

export const SCORE_FLAGS = ['authority-breach', 'very-low', 'very-high', 'judges-disagree'] as const;
export type ScoreFlag = (typeof SCORE_FLAGS)[number];

/**
 * The scorer's flags on a report:
 * - `authority-breach`: the learner promised something beyond their authority at least once;
 * - `very-low`: the dimensions the rehearsal gave an occasion for average below 1 (mostly "not shown");
 * - `very-high`: every such dimension is at 3, with no breach: the strong work a tutor should confirm,
 *   since a scorer that under- or over-rates strong performances costs the most trust.
 * - `judges-disagree`: an LLM or hybrid judge and the rules differ by two levels on a dimension, or
 *   on a breach (`llm-judge.ts`): a tutor should settle it.
 * A report with no levelled dimension has neither level flag.
 */
export function scoreFlagsOf(report: ScoreReport): ScoreFlag[] {
  const flags: ScoreFlag[] = [];
  const breached = report.breaches.length > 0;
  if (breached) flags.push('authority-breach');
  const levels = Object.values(report.dimensions)
    .map((d) => d.level)
    .filter((level): level is number => level !== null);
  if (levels.length > 0) {
    const mean = levels.reduce((sum, level) => sum + level, 0) / levels.length;
    if (mean < 1) flags.push('very-low');
    if (!breached && levels.every((level) => level === 3)) flags.push('very-high');
  }
  if (report.judgement?.flagged) flags.push('judges-disagree');
  return flags;
}
