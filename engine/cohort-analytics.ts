/**
 * A cohort at a glance, from its rehearsals and their current reviews: how levels are spread on each
 * dimension, each learner's weakest dimension, how levels move over attempts, and the scenarios
 * most often failed. What a tutor reads to plan the next session for a group.
 *
 * @remarks
 * The rules, decided here once so every chart and table agrees:
 * - Every level is the level after the current review (`levelsAfterReview`); "no occasion" (null)
 *   is left out of counts and means, and counted on its own where it matters.
 * - The distribution and the weakest dimensions use each learner's latest attempt at each
 *   scenario: where the cohort stands now, not weighted by how often someone retried. A learner
 *   who failed a scenario three times and then passed counts once, at the pass.
 * - Progress uses every attempt: a learner's attempts numbered 1, 2, 3… in the order they ended,
 *   across scenarios, with each dimension's level at each attempt where it had an occasion. The
 *   cohort line is the mean of learners' levels at each attempt number, with how many learners
 *   reached that attempt.
 * - A rehearsal has failed when its current review's verdict is "needs another attempt". Unreviewed,
 *   the scorer's report stands in: it has failed when the learner promised beyond their authority
 *   at least once, or when the mean of its levelled dimensions is below `FAILING_MEAN` (1.5, below
 *   halfway between Emerging and Competent). A signed "meets the standard" is never a failure,
 *   whatever the scorer said. Every failed attempt counts, so a scenario failed twice by one
 *   learner counts twice; the learners who failed it are counted as well.
 * - The weakest dimension of a learner is the one with the lowest mean level; when several share
 *   it, all are named.
 */
import type { EvidenceRecord, Learner } from './evidence-record.ts';
import type { Library } from './rubric-library.ts';
import { levelsAfterReview, type TutorReview } from './tutor-review.ts';

/** An unreviewed rehearsal whose levelled dimensions average below this has failed. */
export const FAILING_MEAN = 1.5;

export interface AnalyticsDimension {
  id: string;
  name: string;
}

export interface LevelDistribution {
  dimension: AnalyticsDimension;
  /** How many latest attempts were at level 0, 1, 2 and 3. */
  counts: [number, number, number, number];
  /** Latest attempts scored on this dimension with no occasion for it. */
  noOccasion: number;
}

export interface LearnerWeakness {
  learner: Learner;
  /** Mean level per dimension id over the learner's latest attempts; null when none had an occasion. */
  means: Record<string, number | null>;
  /** The dimensions with the lowest mean, in dimension order (several on a tie; none without levels). */
  weakest: string[];
  lowestMean: number | null;
}

export interface ProgressPoint {
  attempt: number;
  level: number;
  recordId: string;
  endedAt: string;
}

export interface LearnerProgress {
  learner: Learner;
  attempts: number;
  /** Per dimension, the attempts at which it had a level, in order. */
  dimensions: Array<{ dimension: AnalyticsDimension; points: ProgressPoint[] }>;
}

export interface CohortProgress {
  dimension: AnalyticsDimension;
  /** Per attempt number, the mean level over the learners with a level at that attempt. */
  points: Array<{ attempt: number; mean: number; learners: number }>;
}

export interface ScenarioFailures {
  scenario: { id: string; title: string };
  attempts: number;
  failed: number;
  /** How many different learners failed it at least once. */
  learnersFailing: number;
  /** Failed attempts decided by a tutor's verdict; the rest by the scorer's report. */
  failedByTutor: number;
}

export interface CohortAnalytics {
  dimensions: AnalyticsDimension[];
  /** The level names every dimension shares (0 to 3), when they all share them. */
  levelNames?: string[];
  rehearsals: number;
  learners: number;
  /** Latest attempts per learner and scenario: what the distribution and weaknesses are over. */
  latestAttempts: number;
  distribution: LevelDistribution[];
  weakest: LearnerWeakness[];
  progress: LearnerProgress[];
  cohortProgress: CohortProgress[];
  /** Scenarios with at least one attempt, most failed first. */
  failures: ScenarioFailures[];
}

/** Why a rehearsal counts as failed, or undefined when it has not failed. */
export function failureOf(record: EvidenceRecord, review: TutorReview | undefined): 'tutor' | 'breach' | 'low-levels' | undefined {
  if (review) return review.verdict === 'needs-another-attempt' ? 'tutor' : undefined;
  if (record.report.breaches.length > 0) return 'breach';
  const levels = Object.values(record.report.dimensions)
    .map((d) => d.level)
    .filter((level): level is number => level !== null);
  if (levels.length === 0) return undefined;
  return mean(levels) < FAILING_MEAN ? 'low-levels' : undefined;
}

/**
 * The analytics of a cohort's records, with the current review of each by record id. Dimensions
 * are in the library's order, named as there; one the library no longer has keeps its id as name.
 */
export function cohortAnalyticsOf(
  records: readonly EvidenceRecord[],
  reviews: ReadonlyMap<string, TutorReview>,
  library: Pick<Library, 'dimensions'>,
): CohortAnalytics {
  const ordered = [...records].sort((a, b) => a.endedAt.localeCompare(b.endedAt) || a.id.localeCompare(b.id));
  const levelsOf = new Map(ordered.map((r) => [r.id, levelsAfterReview(r, reviews.get(r.id))]));
  const dimensions = dimensionsOf(ordered, library);

  const byLearner = new Map<string, EvidenceRecord[]>();
  for (const record of ordered) byLearner.set(record.learner.id, [...(byLearner.get(record.learner.id) ?? []), record]);

  // Later attempts replace earlier ones: `ordered` is oldest first.
  const latest = new Map<string, EvidenceRecord>();
  for (const record of ordered) latest.set(JSON.stringify([record.learner.id, record.scenario.id]), record);
  const latestRecords = [...latest.values()];

  const distribution = dimensions.map((dimension): LevelDistribution => {
    const counts: [number, number, number, number] = [0, 0, 0, 0];
    let noOccasion = 0;
    for (const record of latestRecords) {
      const level = levelsOf.get(record.id)![dimension.id];
      if (level === undefined) continue;
      if (level.level === null) noOccasion++;
      else counts[level.level as 0 | 1 | 2 | 3]++;
    }
    return { dimension, counts, noOccasion };
  });

  const weakest = [...byLearner.entries()].map(([learnerId, learnerRecords]): LearnerWeakness => {
    const mine = latestRecords.filter((r) => r.learner.id === learnerId);
    const means = Object.fromEntries(
      dimensions.map((d) => {
        const levels = mine.map((r) => levelsOf.get(r.id)![d.id]?.level).filter((l): l is number => typeof l === 'number');
        return [d.id, levels.length === 0 ? null : mean(levels)];
      }),
    );
    const known = Object.values(means).filter((m): m is number => m !== null);
    const lowestMean = known.length === 0 ? null : Math.min(...known);
    return {
      learner: learnerRecords.at(-1)!.learner,
      means,
      weakest: lowestMean === null ? [] : dimensions.filter((d) => means[d.id] === lowestMean).map((d) => d.id),
      lowestMean,
    };
  });

  const progress = [...byLearner.values()].map((learnerRecords): LearnerProgress => ({
    learner: learnerRecords.at(-1)!.learner,
    attempts: learnerRecords.length,
    dimensions: dimensions.map((dimension) => ({
      dimension,
      points: learnerRecords.flatMap((record, i) => {
        const level = levelsOf.get(record.id)![dimension.id]?.level;
        return typeof level === 'number' ? [{ attempt: i + 1, level, recordId: record.id, endedAt: record.endedAt }] : [];
      }),
    })),
  }));

  const cohortProgress = dimensions.map((dimension, d): CohortProgress => {
    const byAttempt = new Map<number, number[]>();
    for (const learner of progress)
      for (const point of learner.dimensions[d]!.points)
        byAttempt.set(point.attempt, [...(byAttempt.get(point.attempt) ?? []), point.level]);
    return {
      dimension,
      points: [...byAttempt.entries()]
        .sort(([a], [b]) => a - b)
        .map(([attempt, levels]) => ({ attempt, mean: mean(levels), learners: levels.length })),
    };
  });

  return {
    dimensions,
    ...sharedLevelNames(library),
    rehearsals: ordered.length,
    learners: byLearner.size,
    latestAttempts: latestRecords.length,
    distribution,
    weakest,
    progress,
    cohortProgress,
    failures: failuresOf(ordered, reviews),
  };
}

function failuresOf(records: readonly EvidenceRecord[], reviews: ReadonlyMap<string, TutorReview>): ScenarioFailures[] {
  const byScenario = new Map<string, ScenarioFailures & { failing: Set<string> }>();
  for (const record of records) {
    const entry = byScenario.get(record.scenario.id) ?? {
      scenario: { id: record.scenario.id, title: record.scenario.title },
      attempts: 0,
      failed: 0,
      learnersFailing: 0,
      failedByTutor: 0,
      failing: new Set<string>(),
    };
    // The title as most recently recorded: `records` is oldest first.
    entry.scenario.title = record.scenario.title;
    entry.attempts++;
    const failure = failureOf(record, reviews.get(record.id));
    if (failure) {
      entry.failed++;
      if (failure === 'tutor') entry.failedByTutor++;
      entry.failing.add(record.learner.id);
    }
    byScenario.set(record.scenario.id, entry);
  }
  return [...byScenario.values()]
    .map(({ failing, ...entry }) => ({ ...entry, learnersFailing: failing.size }))
    .sort(
      (a, b) => b.failed - a.failed || b.failed / b.attempts - a.failed / a.attempts || a.scenario.title.localeCompare(b.scenario.title),
    );
}

/**
 * The dimensions the records were scored on: in the library's order, then any the library no
 * longer has. One no record was scored on is left out, rather than drawn as an empty row.
 */
function dimensionsOf(records: readonly EvidenceRecord[], library: Pick<Library, 'dimensions'>): AnalyticsDimension[] {
  const scored = new Set(records.flatMap((r) => Object.keys(r.report.dimensions)));
  const dimensions: AnalyticsDimension[] = library.dimensions.filter((d) => scored.has(d.id)).map((d) => ({ id: d.id, name: d.name }));
  const known = new Set(library.dimensions.map((d) => d.id));
  for (const id of scored) if (!known.has(id)) dimensions.push({ id, name: id });
  return dimensions;
}

function sharedLevelNames(library: Pick<Library, 'dimensions'>): { levelNames?: string[] } {
  const names = library.dimensions.map((d) => JSON.stringify(d.levels.map((l) => l.name)));
  return names.length > 0 && names.every((n) => n === names[0]) ? { levelNames: JSON.parse(names[0]!) as string[] } : {};
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
