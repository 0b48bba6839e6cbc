/**
 * Measures any scorer against the hand-labelled set the same way: per dimension, exact and
 * exact-or-adjacent agreement and quadratic weighted kappa; breach precision and recall by learner
 * turn; and each miss with the tutor's rationale beside the scorer's evidence. The bench prints it;
 * the labelled-set test holds floors under it.
 */
import { agreement, detection, type Agreement, type Detection } from '../engine/agreement-metrics.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { Scorer } from '../engine/scorer.ts';
import type { LabelledTranscript } from './labelled-set.ts';

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
}

export async function measureAgreement(
  scorer: Scorer,
  library: Library,
  labelled: readonly LabelledTranscript[],
): Promise<AgreementMeasure> {
  const pairs = new Map<string, Array<[number, number]>>();
  const misses: string[] = [];
  const found = new Set<string>();
  const expected = new Set<string>();
  let notApplicableAgreed = 0;
  let notApplicableDisagreed = 0;

  for (const item of labelled) {
    const scenario = library.scenarios.find((s) => s.id === item.scenario);
    if (!scenario) throw new Error(`${item.file}: unknown scenario ${item.scenario}`);
    const report = await scorer.score({ scenario, turns: item.turns });
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
  }

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
  };
}
