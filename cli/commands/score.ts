/**
 * `servicesim score --scenario <id|path> <transcript.json> [--json] [--allow-changed-scenario]`:
 * scores a saved transcript, or a saved evidence record (its turns, against its scenario). Bad
 * input gets one clear line and exit code 2.
 *
 * @remarks
 * A transcript records the content hash of the scenario it was played with. Scored against a
 * scenario of the same id whose content has changed since, its levels would judge the learner by
 * rules they never met: that is refused (exit 1) unless `--allow-changed-scenario` says to score it
 * anyway, with a warning. A transcript saved before hashes were kept is scored as before.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { debriefView } from '../../engine/debrief-view.ts';
import { readEvidenceRecord } from '../../engine/evidence-record.ts';
import { scenarioHashOf } from '../../engine/rubric-library.ts';
import type { Scenario } from '../../engine/scenario-schema.ts';
import { configuredScorer } from '../rehearsal-parts.ts';
import { readSettings } from '../settings.ts';
import { MAX_TURN_CHARS, TranscriptSchema } from '../../engine/transcript.ts';
import { findScenario, openScenarioLibrary } from '../scenario-lookup.ts';
import { formatScoreReport } from '../score-report-text.ts';
import { UsageError } from '../usage-error.ts';

/** A transcript file larger than this cannot be a rehearsal: refuse it before reading. */
const MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024;

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('score a saved transcript against its scenario')
    .argument('<transcript>', 'JSON file: {"turns":[{"role":"customer"|"learner","text":"…"}, …]}, or an evidence record')
    .option('--scenario <id|path>', 'scenario id, or path to a scenario YAML file (default: the "scenario" key in the file)')
    .option('--json', 'print the report as JSON')
    .option('--allow-changed-scenario', 'score it even if the scenario has changed since the transcript was recorded')
    .action(async (file: string, options: { scenario?: string; json?: boolean; allowChangedScenario?: boolean }) => {
      const transcript = await readTranscript(file);
      const scenarioRef = options.scenario ?? transcript.scenario;
      if (!scenarioRef) throw new UsageError('say which scenario: --scenario <id>, or a "scenario" key in the transcript');
      const settings = readSettings();
      const library = await openScenarioLibrary(settings);
      const scenario = await findScenario(scenarioRef, library);
      if (options.scenario && transcript.scenario && transcript.scenario !== scenario.id && transcript.scenario !== options.scenario) {
        process.stderr.write(
          `servicesim: warning: the transcript says it is from "${transcript.scenario}"; scoring it against "${scenario.id}" as asked\n`,
        );
      }
      if (!transcript.turns.some((t) => t.role === 'learner')) throw new UsageError(`${file} has no learner turns to score`);
      const changed = changedScenario(
        transcript.scenarioHash,
        scenario,
        /\.ya?ml$/.test(scenarioRef) ? scenarioRef : library.files.get(scenario.id),
      );
      if (changed) {
        const what = `${file} was recorded with scenario "${scenario.id}" of content hash ${changed.recorded}, but ${changed.file} now has ${changed.current}`;
        if (!options.allowChangedScenario) {
          process.stderr.write(
            `servicesim: ${what}: its scores would judge the learner against a scenario they never played. Score it against the file it was played with, or pass --allow-changed-scenario to score it anyway\n`,
          );
          process.exitCode = 1;
          return;
        }
        process.stderr.write(`servicesim: warning: ${what}; scoring it anyway, as --allow-changed-scenario asks\n`);
      }
      const scorer = await configuredScorer(settings, library);
      const report = await scorer.score({ scenario, turns: transcript.turns });
      if (options.json) {
        const { dimensions, breaches, commitments, turns, judgement } = report;
        process.stdout.write(
          `${JSON.stringify({ scenario: scenario.id, scorer: scorer.identity, dimensions, breaches, commitments, turns, ...(judgement ? { judgement } : {}) }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(
          formatScoreReport(
            debriefView({
              title: scenario.title,
              report,
              dimensions: library.dimensions,
              order: scenario.dimensions,
              turns: transcript.turns,
              scenario,
            }),
          ),
        );
      }
    });
}

/** The recorded and current content hashes, when a transcript recorded one and the scenario has changed since. */
function changedScenario(
  recorded: string | undefined,
  scenario: Scenario,
  file: string | undefined,
): { recorded: string; current: string; file: string } | undefined {
  const current = scenarioHashOf(scenario);
  if (recorded === undefined || current === undefined || recorded === current) return undefined;
  return { recorded, current, file: file ?? `the scenario file of "${scenario.id}"` };
}

async function readTranscript(file: string) {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new UsageError(`${file} is a folder; give the transcript's JSON file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`no transcript file at ${file}`);
  }
  if (size > MAX_TRANSCRIPT_BYTES)
    throw new UsageError(`${file} is larger than ${MAX_TRANSCRIPT_BYTES / 1024 / 1024} MB; a transcript is a few KB`);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  // An evidence record (what the bot and `chat` keep) is scored from its turns, against its scenario.
  if (data !== null && typeof data === 'object' && 'report' in data && 'learner' in data) {
    const reading = readEvidenceRecord(data);
    if ('problem' in reading) throw new UsageError(`${file} looks like an evidence record, but ${reading.problem}`);
    const { record } = reading;
    data = {
      scenario: record.scenario.id,
      ...(record.scenarioHash ? { scenarioHash: record.scenarioHash } : {}),
      // The customer's mood after each turn is the record's, not the transcript's.
      turns: record.turns.map(({ role, text }) => ({ role, text })),
    };
  }
  const parsed = TranscriptSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    const tooLong = issue.code === 'too_big' && issue.path.at(-1) === 'text';
    throw new UsageError(`${file}${where}: ${tooLong ? `a turn is longer than ${MAX_TURN_CHARS} characters` : issue.message}`);
  }
  return parsed.data;
}
