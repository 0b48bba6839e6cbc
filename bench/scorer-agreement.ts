/**
 * Measures the scorer chosen by JUDGE_MODE (the rules by default) against the hand-labelled set: per dimension, exact and
 * exact-or-adjacent agreement and quadratic weighted kappa; and breach precision and recall.
 * Prints a table for the README; `--json` prints the figures; `--disagreements` lists each miss with
 * the tutor's rationale and the scorer's evidence (read it for the tuning split only, or the
 * held-out figures stop meaning anything). `--labelled <folder>` measures against another folder in
 * the same format instead, such as tutors' overrides exported from reviews (engine/labelled-export.ts).
 * `servicesim eval` measures the same way, with the same table (cli/agreement-table.ts); this stays
 * as the bench so `npm run bench` prints the README's figures for each split in one go.
 */
import { agreementJson, agreementText, describeSet, inSplit, SPLITS, type Split } from '../cli/agreement-table.ts';
import { LABELLED_DIR, readLabelledFolder } from '../cli/labelled-set.ts';
import { measureAgreement } from '../cli/measure-agreement.ts';
import { configuredScorer, pricesOf, scorableDimensions } from '../cli/rehearsal-parts.ts';
import { readSettings } from '../cli/settings.ts';
import { UsageError } from '../cli/usage-error.ts';
import { openLibrary } from '../engine/rubric-library.ts';
import { eachOption } from './command-line.ts';

try {
  const split = process.argv.find((a) => a.startsWith('--split='))?.slice('--split='.length) ?? 'all';
  if (!(SPLITS as readonly string[]).includes(split)) throw new UsageError(`--split=${split}: it may be ${SPLITS.join(', ')}`);
  let folder = LABELLED_DIR;
  eachOption(process.argv.slice(2), (arg, value) => {
    if (arg === '--labelled') folder = value();
  });
  const labelled = inSplit(readLabelledFolder(folder), split as Split);
  const settings = readSettings();
  const library = await openLibrary([settings.SERVICESIM_RUBRICS], undefined, { scorable: scorableDimensions() });
  const scorer = await configuredScorer(settings, library);
  const run = {
    judge: scorer.identity,
    set: describeSet(folder, split as Split),
    measure: await measureAgreement(scorer, library, labelled),
    prices: pricesOf(settings),
  };
  const disagreements = process.argv.includes('--disagreements');
  process.stdout.write(process.argv.includes('--json') ? agreementJson(run, { disagreements }) : agreementText(run, { disagreements }));
} catch (error) {
  // A wrong option or folder is one line, as `servicesim eval` says it; anything else is a fault worth its stack.
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
