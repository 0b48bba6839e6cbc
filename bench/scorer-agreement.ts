/**
 * Measures the rules scorer against the hand-labelled set: per dimension, exact and
 * exact-or-adjacent agreement and quadratic weighted kappa; and breach precision and recall.
 * Prints a table for the README; `--json` prints the figures; `--disagreements` lists each miss with
 * the tutor's rationale and the scorer's evidence (read it for the tuning split only, or the
 * held-out figures stop meaning anything).
 */
import { openLibrary } from '../engine/rubric-library.ts';
import { scoreTranscript } from '../engine/scorer.ts';
import { agreement, detection } from './agreement-metrics.ts';
import { readLabelledSet } from './labelled-set.ts';

/**
 * The scorer's rules were tuned while reading disagreements on the first three batches of labelled
 * transcripts (the third, `b3-…`, only after it had been measured once untouched). The fourth
 * batch (files named `b4-…`, on three scenarios the rules never saw as well as the twelve) was
 * written afterwards by labellers who never saw the scorer and is measured untouched: its figures
 * say how the scorer does on transcripts, and scenarios, it was not tuned on. (Its first figures
 * are in the README; its breach false alarms were read afterwards and their faults mended.)
 */
export const isHeldOut = (file: string) => /(^|[\\/])b4-/.test(file);

const library = await openLibrary();
const split = process.argv.find((a) => a.startsWith('--split='))?.slice('--split='.length) ?? 'all';
const labelled = readLabelledSet().filter((l) => split === 'all' || (split === 'held-out') === isHeldOut(l.file));
const pairs = new Map<string, Array<[number, number]>>();
const misses: string[] = [];
const found = new Set<string>();
const expected = new Set<string>();
let notApplicableAgreed = 0;
let notApplicableDisagreed = 0;

for (const item of labelled) {
  const scenario = library.scenarios.find((s) => s.id === item.scenario);
  if (!scenario) throw new Error(`${item.file}: unknown scenario ${item.scenario}`);
  const report = scoreTranscript(scenario, item.turns);
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
      misses.push(`${item.file} ${dimension}: tutor ${label}, scorer ${level}\n    tutor: ${item.labels.rationale?.[dimension] ?? '—'}\n    scorer: ${evidence || 'no evidence'}`);
    }
  }
  for (const b of report.breaches) {
    found.add(`${item.file}#${b.turn}`);
    if (!item.labels.breaches.some((l) => l.turn === b.turn)) misses.push(`${item.file} breach false alarm at turn ${b.turn} (${b.action}): "${b.quote}"`);
  }
  for (const b of item.labels.breaches) {
    expected.add(`${item.file}#${b.turn}`);
    if (!report.breaches.some((f) => f.turn === b.turn)) misses.push(`${item.file} breach missed at turn ${b.turn} (${b.action}): ${b.why ?? ''}`);
  }
}

const all = [...pairs.values()].flat();
const rows = [...pairs.entries()].map(([dimension, p]) => ({ dimension, ...agreement(p) }));
rows.push({ dimension: 'all', ...agreement(all) });
const breaches = detection(found, expected);
const pct = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`);

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ transcripts: labelled.length, rows, breaches, notApplicableAgreed, notApplicableDisagreed }, null, 2)}\n`);
} else {
  const scenarios = new Set(labelled.map((l) => l.scenario)).size;
  const name = split === 'all' ? 'all labelled transcripts' : split === 'tuning' ? 'the transcripts the rules were tuned on' : 'the held-out batch only';
  process.stdout.write(`Scorer agreement with tutor levels — ${name}: ${labelled.length} transcripts, ${scenarios} scenarios\n\n`);
  process.stdout.write('| dimension | pairs | exact | exact or adjacent | quadratic weighted kappa |\n|---|---|---|---|---|\n');
  for (const r of rows) process.stdout.write(`| ${r.dimension} | ${r.pairs} | ${pct(r.exact)} | ${pct(r.adjacent)} | ${Number.isNaN(r.kappa) ? '—' : r.kappa.toFixed(2)} |\n`);
  process.stdout.write(`\nNot applicable (null) agreed ${notApplicableAgreed}, disagreed ${notApplicableDisagreed}.\n`);
  process.stdout.write(`Authority breaches (by learner turn): precision ${pct(breaches.precision)}, recall ${pct(breaches.recall)} (${breaches.truePositives} found, ${breaches.falsePositives} false alarms, ${breaches.falseNegatives} missed)\n`);
  if (process.argv.includes('--disagreements')) process.stdout.write(`\n${misses.join('\n')}\n`);
}
