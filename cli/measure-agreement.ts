/**
 * Measures any scorer against the hand-labelled set the same way: per dimension, exact and
 * exact-or-adjacent agreement and quadratic weighted kappa; breach precision and recall by learner
 * turn; each miss with the tutor's rationale beside the scorer's evidence; and, for a model judge,
 * what its calls cost. `servicesim eval` and the agreement bench print it; the labelled-set test
 * holds floors under it.
 */
import { agreement, detection, type Agreement, type Detection } from '../engine/agreement-metrics.ts';
import { addUsage, NO_USAGE, type TokenUsage } from '../engine/language-model.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { ScoreReport } from '../engine/score-report.ts';
import type { Scorer } from '../engine/scorer.ts';
import type { LabelledTranscript } from './labelled-set.ts';

/** What a model judge's calls came to over the set; all zeros for the rules scorer, which calls none. */
export interface ModelCalls {
  calls: number;
  /** Transcripts the rules scored instead of the model, by the reason (`server-error`, `spending-cap`, …). */
  fallbacks: Record<string, number>;
  usage: TokenUsage;
  /** Transcripts flagged for a tutor because the judge and the rules disagree. */
  flagged: number;
}

export interface AgreementMeasure {
  transcripts: number;
  scenarios: number;
  /** One row per dimension, then `all`. */
  rows: Array<{ dimension: string } & Agreement>;
  breaches: Detection;
  notApplicableAgreed: number;
  notApplicableDisagreed: number;
  /** Each disagreement, for reading (on the tuning split only, or held-out figures stop meaning anything). */
  misses: string[];
  models: ModelCalls;
}

export async function measureAgreement(
  scorer: Scorer,
  library: Library,
  labelled: readonly LabelledTranscript[],
  { concurrency = 1 }: { concurrency?: number } = {},
): Promise<AgreementMeasure> {
  // Every scenario is found before any scoring, so a wrong id stops the run before a model is paid.
  const scenarios = labelled.map((item) => {
    const scenario = library.scenarios.find((s) => s.id === item.scenario);
    if (!scenario) throw new Error(`${item.file}: unknown scenario ${item.scenario}`);
    return scenario;
  });
  const reports = await mapConcurrently(labelled, concurrency, (item, i) => scorer.score({ scenario: scenarios[i]!, turns: item.turns }));

  const pairs = new Map<string, Array<[number, number]>>();
  const misses: string[] = [];
  const found = new Set<string>();
  const expected = new Set<string>();
  let notApplicableAgreed = 0;
  let notApplicableDisagreed = 0;
  const models: ModelCalls = { calls: 0, fallbacks: {}, usage: NO_USAGE, flagged: 0 };

  // Tallied in the set's order, not the order the reports came back in, so the misses read the same every run.
  labelled.forEach((item, i) => {
    const report = reports[i]!;
    tallyModelCalls(models, report);
    for (const [dimension, label] of Object.entries(item.labels.dimensions)) {
      const level = report.dimensions[dimension]?.level ?? null;
      if (label === null || level === null) {
        if (label === level) notApplicableAgreed++;
        else {
          notApplicableDisagreed++;
          misses.push(`${item.file} ${dimension}: tutor ${label}, scorer ${level}`);
        }
        continue;
      }
      (pairs.get(dimension) ?? pairs.set(dimension, []).get(dimension)!).push([label, level]);
      if (label !== level) {
        // The tutor's reason beside the scorer's evidence: what a rule change would have to see.
        const evidence = report.dimensions[dimension]!.evidence.map((e) => `${e.turn}: ${e.reason}`).join('; ');
        misses.push(
          `${item.file} ${dimension}: tutor ${label}, scorer ${level}\n    tutor: ${item.labels.rationale?.[dimension] ?? '—'}\n    scorer: ${evidence || 'no evidence'}`,
        );
      }
    }
    for (const b of report.breaches) {
      found.add(`${item.file}#${b.turn}`);
      if (!item.labels.breaches.some((l) => l.turn === b.turn))
        misses.push(`${item.file} breach false alarm at turn ${b.turn} (${b.action}): "${b.quote}"`);
    }
    for (const b of item.labels.breaches) {
      expected.add(`${item.file}#${b.turn}`);
      if (!report.breaches.some((f) => f.turn === b.turn))
        misses.push(`${item.file} breach missed at turn ${b.turn} (${b.action}): ${b.why ?? ''}`);
    }
  });

  const rows = [...pairs.entries()].map(([dimension, p]) => ({ dimension, ...agreement(p) }));
  rows.push({ dimension: 'all', ...agreement([...pairs.values()].flat()) });
  return {
    transcripts: labelled.length,
    scenarios: new Set(labelled.map((l) => l.scenario)).size,
    rows,
    breaches: detection(found, expected),
    notApplicableAgreed,
    notApplicableDisagreed,
    misses,
    models,
  };
}

/** Adds one report's judgement (absent from a rules report) to the totals. */
function tallyModelCalls(models: ModelCalls, report: ScoreReport): void {
  const judgement = report.judgement;
  if (!judgement) return;
  models.calls += judgement.calls.length;
  for (const call of judgement.calls) models.usage = addUsage(models.usage, call.usage);
  if (judgement.fallback) models.fallbacks[judgement.fallback.reason] = (models.fallbacks[judgement.fallback.reason] ?? 0) + 1;
  if (judgement.flagged) models.flagged++;
}

/**
 * `work` on every item, at most `limit` at once, the results in the items' order. A model judge
 * takes seconds a transcript, mostly waiting on the endpoint: a few at once make a 120-transcript
 * run minutes rather than many. After a failure no more are started, and the first failure is
 * thrown once the calls under way have settled.
 */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        // No more items are started: the run has failed, and a model's further calls would be paid for nothing.
        stopped = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(Math.floor(limit) || 1, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return results;
}
