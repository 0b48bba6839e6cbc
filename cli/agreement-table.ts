/**
 * How a scorer's agreement with the hand-labelled set is printed: the table for the README (per
 * dimension pairs, exact, within one level and quadratic weighted kappa; null agreement; breach
 * precision and recall), then what a model judge's calls came to (calls, fallbacks by reason,
 * tokens and cost). `servicesim eval` and `bench/scorer-agreement.ts` both print through here, so
 * the figures a developer reads and the ones the bench puts in the README cannot drift apart.
 */
import path from 'node:path';
import type { ComponentIdentity } from '../engine/component-identity.ts';
import { costOf, hasPrices, type ModelPrices } from '../engine/model-cost.ts';
import { LABELLED_DIR, type LabelledTranscript } from './labelled-set.ts';
import type { AgreementMeasure } from './measure-agreement.ts';

/**
 * The scorer's rules were tuned while reading disagreements on the first three batches of labelled
 * transcripts (the third, `b3-…`, only after it had been measured once untouched). The fourth
 * batch (files named `b4-…`, on three scenarios the rules never saw as well as the twelve) was
 * written afterwards by labellers who never saw the scorer and is measured untouched: its figures
 * say how the scorer does on transcripts, and scenarios, it was not tuned on. (Its first figures
 * are in the README; its breach false alarms were read afterwards and their faults mended.) The
 * fifth to eleventh batches (`b5-…` to `b11-…`) were each measured untouched on new scenarios and
 * then tuned on, so they count as tuning here. A new batch waits in its own folder
 * (`--labelled test/labelled-held-out-b14`) until it has been measured once; then it joins the set.
 */
export const isHeldOut = (file: string) => /(^|[\\/])b4-/.test(file);

export const SPLITS = ['all', 'tuning', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

export function inSplit(labelled: readonly LabelledTranscript[], split: Split): LabelledTranscript[] {
  return labelled.filter((l) => split === 'all' || (split === 'held-out') === isHeldOut(l.file));
}

/** What was measured, in words, for the table's heading. */
export function describeSet(folder: string, split: Split): string {
  if (path.resolve(folder) !== LABELLED_DIR) return `the labelled transcripts in ${folder}${split === 'all' ? '' : ` (${split} split)`}`;
  if (split === 'all') return 'all labelled transcripts';
  return split === 'tuning' ? 'the transcripts the rules were tuned on' : 'the held-out batch only';
}

/** The prices set for model calls (LLM_PRICE_*), per million tokens. */
export interface AgreementRun {
  judge: ComponentIdentity;
  /** From describeSet. */
  set: string;
  measure: AgreementMeasure;
  prices: ModelPrices;
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`);
const count = (n: number) => n.toLocaleString('en-GB');

/** The Markdown table and the lines under it; with `disagreements`, every miss after them. */
export function agreementText({ judge, set, measure, prices }: AgreementRun, { disagreements = false } = {}): string {
  const { rows, breaches, notApplicableAgreed, notApplicableDisagreed, misses, models } = measure;
  const lines = [
    `Scorer agreement with tutor levels (${judge.id} ${judge.version}) — ${set}: ${measure.transcripts} transcripts, ${measure.scenarios} scenarios`,
    '',
    '| dimension | pairs | exact | exact or adjacent | quadratic weighted kappa |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) => `| ${r.dimension} | ${r.pairs} | ${pct(r.exact)} | ${pct(r.adjacent)} | ${Number.isNaN(r.kappa) ? '—' : r.kappa.toFixed(2)} |`,
    ),
    '',
    `Not applicable (null) agreed ${notApplicableAgreed}, disagreed ${notApplicableDisagreed}.`,
    `Authority breaches (by learner turn): precision ${pct(breaches.precision)}, recall ${pct(breaches.recall)} (${breaches.truePositives} found, ${breaches.falsePositives} false alarms, ${breaches.falseNegatives} missed)`,
    '',
    `Judge: ${judge.kind} (${judge.id} ${judge.version})`,
  ];
  if (judge.kind === 'rules' && models.calls === 0) lines.push('Model calls: none (the rules judge calls no model)');
  else {
    const fallbacks = Object.entries(models.fallbacks).sort(([a], [b]) => a.localeCompare(b));
    const fellBack = fallbacks.reduce((n, [, k]) => n + k, 0);
    lines.push(
      `Model calls: ${count(models.calls)}; rules' levels used instead for ${fellBack} of ${measure.transcripts} transcripts${fallbacks.length > 0 ? ` (${fallbacks.map(([reason, n]) => `${reason} ${n}`).join(', ')})` : ''}; ${models.flagged} flagged for a tutor`,
      `Tokens: ${count(models.usage.inputTokens)} input (${count(models.usage.cachedInputTokens)} of them cached), ${count(models.usage.outputTokens)} output; ${
        hasPrices(prices)
          ? `cost ${costOf(models.usage, prices).toFixed(6)} (per million tokens: input ${prices.inputPerMillion}, cached input ${prices.cachedInputPerMillion}, output ${prices.outputPerMillion})`
          : 'cost: prices not set (LLM_PRICE_INPUT, LLM_PRICE_CACHED_INPUT, LLM_PRICE_OUTPUT)'
      }`,
    );
  }
  if (disagreements) lines.push('', ...misses);
  return `${lines.join('\n')}\n`;
}

/** The same figures as JSON (NaN, where a figure has no value, is null); with `disagreements`, the misses too. */
export function agreementJson({ judge, set, measure, prices }: AgreementRun, { disagreements = false } = {}): string {
  const { transcripts, scenarios, rows, breaches, notApplicableAgreed, notApplicableDisagreed, misses, models } = measure;
  return `${JSON.stringify(
    {
      scorer: judge,
      set,
      transcripts,
      scenarios,
      rows,
      breaches,
      notApplicableAgreed,
      notApplicableDisagreed,
      models: { ...models, cost: hasPrices(prices) ? costOf(models.usage, prices) : null, prices },
      ...(disagreements ? { disagreements: misses } : {}),
    },
    null,
    2,
  )}\n`;
}
