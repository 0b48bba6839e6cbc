/**
 * `servicesim eval [--judge rules|llm|hybrid] [--labelled <folder>] [--split all|tuning|held-out]
 * [--concurrency <n>] [--json] [--disagreements]`: measures a judge against the hand-labelled
 * transcripts (test/labelled, or a folder of tutors' overrides exported from reviews), printing the
 * agreement table `npm run bench` prints and what a model judge's calls came to: so whoever is
 * choosing a judge, a model or a prompt sees its agreement and its cost side by side before any
 * learner is scored by it. Bad options get one clear line and exit code 2.
 */
import type { Command } from 'commander';
import { agreementJson, agreementText, describeSet, inSplit, SPLITS, type Split } from '../agreement-table.ts';
import { LABELLED_DIR, readLabelledFolder } from '../labelled-set.ts';
import { measureAgreement } from '../measure-agreement.ts';
import { configuredScorer, JUDGE_MODES, pricesOf, scorableDimensions } from '../rehearsal-parts.ts';
import { readSettings } from '../settings.ts';
import { openLibrary } from '../../engine/rubric-library.ts';
import { UsageError } from '../usage-error.ts';

/** A model judge spends seconds a transcript waiting on its endpoint: a few at once, not so many a provider's rate limit bites. */
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 32;

interface EvalOptions {
  judge?: string;
  labelled?: string;
  split: string;
  concurrency: string;
  json?: boolean;
  disagreements?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description("measure a judge's agreement with hand-labelled transcripts, and what its model calls cost")
    .option('--judge <mode>', `the judge to measure: ${JUDGE_MODES.join(', ')} (default: JUDGE_MODE)`)
    // No default here: commander would print the absolute path of this checkout in the help.
    .option('--labelled <folder>', 'labelled transcripts to measure against (default: test/labelled)')
    .option(
      '--split <split>',
      `which of the labelled transcripts: ${SPLITS.join(', ')} (held-out: the batch the rules were never tuned on)`,
      'all',
    )
    .option('--concurrency <n>', `transcripts scored at once (1–${MAX_CONCURRENCY})`, String(DEFAULT_CONCURRENCY))
    .option('--json', 'print the figures as JSON')
    .option('--disagreements', "list every disagreement with the tutor's rationale (read them on the tuning split only)")
    .action(async (options: EvalOptions) => {
      const judge = options.judge;
      if (judge !== undefined && !(JUDGE_MODES as readonly string[]).includes(judge))
        throw new UsageError(`--judge ${judge}: it may be ${JUDGE_MODES.join(', ')}`);
      if (!(SPLITS as readonly string[]).includes(options.split))
        throw new UsageError(`--split ${options.split}: it may be ${SPLITS.join(', ')}`);
      const concurrency = Number(options.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
        throw new UsageError(`--concurrency ${options.concurrency}: it may be a whole number from 1 to ${MAX_CONCURRENCY}`);
      const split = options.split as Split;
      const folder = options.labelled ?? LABELLED_DIR;
      const labelled = inSplit(readLabelledFolder(folder), split);

      // --judge wins over JUDGE_MODE: read as the setting, so a JUDGE_MODE in the environment cannot refuse it.
      const settings = readSettings(judge === undefined ? process.env : { ...process.env, JUDGE_MODE: judge });
      const library = await openLibrary([settings.SERVICESIM_RUBRICS], undefined, { scorable: scorableDimensions() });
      const unknown = labelled.find((l) => !library.scenarios.some((s) => s.id === l.scenario));
      if (unknown) throw new UsageError(`${unknown.file}: no scenario "${unknown.scenario}" in ${settings.SERVICESIM_RUBRICS}`);
      const scorer = await configuredScorer(settings, library);
      const run = {
        judge: scorer.identity,
        set: describeSet(folder, split),
        measure: await measureAgreement(scorer, library, labelled, { concurrency }),
        prices: pricesOf(settings),
      };
      const disagreements = options.disagreements === true;
      process.stdout.write(options.json ? agreementJson(run, { disagreements }) : agreementText(run, { disagreements }));
      // A model judge that never answered has measured the rules: say so, and fail, so no one reports these as the model's.
      const fellBack = Object.values(run.measure.models.fallbacks).reduce((sum, n) => sum + n, 0);
      if (settings.JUDGE_MODE !== 'rules' && labelled.length > 0 && fellBack >= labelled.length) {
        process.stderr.write(
          `servicesim: the ${settings.JUDGE_MODE} judge's call failed for every transcript (${Object.keys(run.measure.models.fallbacks).join(', ')}): these are the rules' figures, not the model's. Check JUDGE_MODEL and the endpoint.\n`,
        );
        process.exitCode = 1;
      }
    });
}
