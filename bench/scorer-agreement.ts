/**
 * Measures the scorer chosen by JUDGE_MODE (the rules by default) against the hand-labelled set: per dimension, exact and
 * exact-or-adjacent agreement and quadratic weighted kappa; and breach precision and recall.
 * Prints a table for the README; `--json` prints the figures; `--disagreements` lists each miss with
 * the tutor's rationale and the scorer's evidence (read it for the tuning split only, or the
 * held-out figures stop meaning anything). `--labelled <folder>` measures against another folder in
 * the same format instead, such as tutors' overrides exported from reviews (engine/labelled-export.ts).
 */
import { statSync } from 'node:fs';
import { createScorer, scorableBy } from '../cli/rehearsal-parts.ts';
import { readSettings } from '../cli/settings.ts';
import { openLibrary } from '../engine/rubric-library.ts';
import { eachOption } from './command-line.ts';
import { LABELLED_DIR, readLabelledSet, type LabelledTranscript } from './labelled-set.ts';
import { measureAgreement } from './measure-agreement.ts';

/**
 * The scorer's rules were tuned while reading disagreements on the first three batches of labelled
 * transcripts (the third, `b3-…`, only after it had been measured once untouched). The fourth
 * batch (files named `b4-…`, on three scenarios the rules never saw as well as the twelve) was
 * written afterwards by labellers who never saw the scorer and is measured untouched: its figures
 * say how the scorer does on transcripts, and scenarios, it was not tuned on. (Its first figures
 * are in the README; its breach false alarms were read afterwards and their faults mended.)
 */
export const isHeldOut = (file: string) => /(^|[\\/])b4-/.test(file);

const settings = readSettings();
const scorer = createScorer(settings);
const library = await openLibrary([settings.SERVICESIM_RUBRICS], undefined, { scorable: scorableBy(scorer) });
const split = process.argv.find((a) => a.startsWith('--split='))?.slice('--split='.length) ?? 'all';
let folder = LABELLED_DIR;
eachOption(process.argv.slice(2), (arg, value) => {
  if (arg === '--labelled') folder = value();
});
const labelled = readFolder(folder).filter((l) => split === 'all' || (split === 'held-out') === isHeldOut(l.file));
const { rows, breaches, notApplicableAgreed, notApplicableDisagreed, misses, scenarios } = await measureAgreement(
  scorer,
  library,
  labelled,
);
const pct = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x * 100)}%`);

if (process.argv.includes('--json')) {
  process.stdout.write(
    `${JSON.stringify({ scorer: scorer.identity, transcripts: labelled.length, rows, breaches, notApplicableAgreed, notApplicableDisagreed }, null, 2)}\n`,
  );
} else {
  const name =
    folder !== LABELLED_DIR
      ? `the labelled transcripts in ${folder}${split === 'all' ? '' : ` (${split} split)`}`
      : split === 'all'
        ? 'all labelled transcripts'
        : split === 'tuning'
          ? 'the transcripts the rules were tuned on'
          : 'the held-out batch only';
  process.stdout.write(
    `Scorer agreement with tutor levels (${scorer.identity.id} ${scorer.identity.version}) — ${name}: ${labelled.length} transcripts, ${scenarios} scenarios\n\n`,
  );
  process.stdout.write('| dimension | pairs | exact | exact or adjacent | quadratic weighted kappa |\n|---|---|---|---|---|\n');
  for (const r of rows)
    process.stdout.write(
      `| ${r.dimension} | ${r.pairs} | ${pct(r.exact)} | ${pct(r.adjacent)} | ${Number.isNaN(r.kappa) ? '—' : r.kappa.toFixed(2)} |\n`,
    );
  process.stdout.write(`\nNot applicable (null) agreed ${notApplicableAgreed}, disagreed ${notApplicableDisagreed}.\n`);
  process.stdout.write(
    `Authority breaches (by learner turn): precision ${pct(breaches.precision)}, recall ${pct(breaches.recall)} (${breaches.truePositives} found, ${breaches.falsePositives} false alarms, ${breaches.falseNegatives} missed)\n`,
  );
  if (process.argv.includes('--disagreements')) process.stdout.write(`\n${misses.join('\n')}\n`);
}

/** The labelled transcripts in `dir`; a folder that is not there, or a file that does not read, ends the bench with one line saying which. */
function readFolder(dir: string): LabelledTranscript[] {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    return readLabelledSet(dir);
  } catch (error) {
    process.stderr.write(
      `--labelled ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message}\n`,
    );
    process.exit(2);
  }
}
