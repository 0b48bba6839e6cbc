/**
 * `servicesim chat [--scenario <id>]`: rehearse in the terminal. The learner types as the advisor
 * (practice mode shows coaching hints, as the bot does); `/end` finishes; then the score report,
 * a short reflection, and the evidence kept the same way as the bot keeps it (the same record, in
 * the same store), with the transcript saved for `servicesim score`. In a scenario the learner
 * opens (`openedBy: learner`), the learner types first and the customer's first words answer.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { pino } from 'pino';
import { debriefView, END_REASON_TEXT } from '../../engine/debrief-view.ts';
import { assembleEvidence, type EvidenceRecord } from '../../engine/evidence-record.ts';
import { Rehearsal, scoreRehearsal, transcriptOf, type Exchange } from '../../engine/rehearsal.ts';
import { scenarioHashOf, sourceHashesOf } from '../../engine/rubric-library.ts';
import type { Scenario } from '../../engine/scenario-schema.ts';
import type { Turn } from '../../engine/transcript.ts';
import { rehearsalParts } from '../rehearsal-parts.ts';
import { openStoresForCommand } from '../open-stores.ts';
import { findScenario, openScenarioLibrary } from '../scenario-lookup.ts';
import { formatScoreReport } from '../score-report-text.ts';
import { readSettings } from '../settings.ts';
import { reflectionOf } from '../../engine/reflection.ts';
import { UsageError } from '../usage-error.ts';

const END_COMMANDS = new Set(['/end', '/quit', '/exit']);
/** What the learner may type instead of a reflection (or nothing at all). */
const MODES = ['practice', 'assessment'] as const;

/** The terminal's learner: the account that runs it, as the local page's learner is its browser. */
function terminalLearner(): { id: string; name?: string } {
  try {
    const { username } = userInfo();
    return { id: `terminal/${username}`, name: username };
  } catch {
    return { id: 'terminal/local' };
  }
}

export function registerChatCommand(program: Command): void {
  program
    .command('chat')
    .description('rehearse in the terminal (the customer CUSTOMER_MODE names); /end to finish')
    .option('--scenario <id|path>', 'scenario to rehearse (default: choose from a list)')
    .option('--seed <text>', "vary the customer's wording (same seed, same wording)")
    .option('--mode <mode>', 'practice (coaching hints after weak replies) or assessment (none)', 'practice')
    .action(async (options: { scenario?: string; seed?: string; mode: string }) => {
      const mode = MODES.find((m) => m === options.mode);
      if (!mode) throw new UsageError(`--mode must be practice or assessment, not "${options.mode}"`);
      const settings = readSettings();
      const library = await openScenarioLibrary(settings);
      const parts = await rehearsalParts(settings, library);
      const tty = process.stdin.isTTY === true;
      // In a terminal readline echoes what is typed, so it needs the output; piped input is not echoed.
      const input = createInterface({
        input: process.stdin,
        ...(tty ? { output: process.stdout } : {}),
        terminal: tty,
        crlfDelay: Infinity,
      });
      const lines = input[Symbol.asyncIterator]();
      const ask = async (prompt: string): Promise<string | undefined> => {
        if (tty) {
          input.setPrompt(prompt);
          input.prompt();
        }
        const next = await lines.next();
        return next.done ? undefined : String(next.value);
      };
      try {
        const scenario = options.scenario ? await findScenario(options.scenario, library) : await chooseScenario(library.scenarios, ask);
        // The terminal keeps no profile to remember it by, so it says so every time a model takes part.
        if (parts.models)
          process.stdout.write(
            '\nAn AI model plays the customer or helps mark your replies: what you type is sent to the model provider set up here.\n',
          );
        const rehearsal = await Rehearsal.start(scenario, parts, options.seed);
        const startedAt = new Date().toISOString();
        const exchanges: Exchange[] = [];
        process.stdout.write(`\n${scenario.title}\n\n${wrap(scenario.briefing)}\n\nType your replies as the advisor. /end finishes.\n\n`);
        process.stdout.write(
          rehearsal.openedBy === 'learner'
            ? `(You open the ${scenario.setting.channel === 'phone' ? 'call' : 'conversation'}: greet ${scenario.customer.name} and say why you are getting in touch.)\n`
            : `${scenario.customer.name}: ${rehearsal.opening}\n`,
        );
        while (!rehearsal.ended) {
          const line = await ask('\nYou: ');
          if (line === undefined || END_COMMANDS.has(line.trim().toLowerCase())) break;
          if (line.trim() === '') continue;
          try {
            const exchange = await rehearsal.learnerSays(line);
            exchanges.push(exchange);
            process.stdout.write(`${tty ? '' : `You: ${line.trim()}\n`}${scenario.customer.name}: ${exchange.customer}\n`);
            const hint = exchange.feedback.hint;
            if (mode === 'practice' && hint) process.stdout.write(`  💡 Coaching (${hint.dimension}): ${hint.text}\n`);
          } catch (error) {
            if (error instanceof RangeError) process.stdout.write(`(${error.message})\n`);
            else throw error;
          }
        }
        rehearsal.end();
        const turns = transcriptOf(rehearsal.opening, exchanges);
        // A rehearsal the learner opened and never spoke in has no turns: nothing to keep.
        const file = turns.length > 0 ? await saveTranscript(scenario, turns) : undefined;
        process.stdout.write(`\n${END_REASON_TEXT[rehearsal.endReason ?? 'learner-ended']}\n\n`);
        if (exchanges.length === 0) {
          process.stdout.write(
            `You did not ${rehearsal.openedBy === 'learner' ? 'speak' : 'reply'} to the customer, so there is nothing to score.\n`,
          );
        } else {
          const report = await scoreRehearsal(parts.scorer, scenario, rehearsal.opening, exchanges);
          process.stdout.write(
            formatScoreReport(
              debriefView({ title: scenario.title, report, dimensions: library.dimensions, order: scenario.dimensions, turns, scenario }),
            ),
          );
          const sources = sourceHashesOf(library, scenario.id);
          const scenarioHash = scenarioHashOf(scenario);
          const record = assembleEvidence({
            id: randomUUID(),
            learner: terminalLearner(),
            scenario: { id: scenario.id, title: scenario.title, problemType: scenario.problemType },
            mode,
            startedAt,
            endedAt: new Date().toISOString(),
            endReason: rehearsal.endReason ?? 'learner-ended',
            opening: rehearsal.opening,
            exchanges,
            turnCount: rehearsal.turnCount,
            report,
            customer: parts.customer.identity,
            scorer: parts.scorer.identity,
            ...(sources ? { sources } : {}),
            ...(scenarioHash ? { scenarioHash } : {}),
            ...(parts.models ? { models: parts.models } : {}),
          });
          process.stdout.write(
            '\nA short reflection for your evidence: what went well, and what would you do differently? (Enter or "skip" to skip)\n',
          );
          const answer = await ask('> ');
          const reflection = reflectionOf(answer);
          // The store may be out of reach (Redis down, the disk full): say so; the transcript is saved either way.
          const kept = await keepEvidence(reflection === undefined ? record : { ...record, reflection }).catch(
            (error: unknown) =>
              `Could not keep the evidence in the store (${(error as Error).message}); the transcript below is saved, and \`servicesim score\` scores it again.`,
          );
          process.stdout.write(`\n${kept}\n`);
        }
        if (file) process.stdout.write(`\nTranscript saved to ${file}\n`);
      } finally {
        input.close();
      }
    });
}

/** Saves the record where the bot keeps evidence (the configured store), and says where. */
async function keepEvidence(record: EvidenceRecord): Promise<string> {
  const stores = await openStoresForCommand(readSettings(), pino({ level: 'silent' }));
  try {
    await stores.evidence.save(record);
    return `Evidence kept in ${stores.description}${record.reflection ? ', with your reflection' : ''} (learner ${record.learner.id}).`;
  } finally {
    await stores.close();
  }
}

async function chooseScenario(scenarios: Scenario[], ask: (prompt: string) => Promise<string | undefined>): Promise<Scenario> {
  process.stdout.write('Scenarios:\n');
  scenarios.forEach((s, i) => process.stdout.write(`  ${String(i + 1).padStart(2)}. ${s.title} (${s.problemType}, ${s.difficulty})\n`));
  const answer = (await ask('\nChoose a number or id: '))?.trim() ?? '';
  const chosen = scenarios[Number(answer) - 1] ?? scenarios.find((s) => s.id === answer);
  if (!chosen) throw new UsageError(`no scenario "${answer}"`);
  return chosen;
}

async function saveTranscript(scenario: Scenario, turns: readonly Turn[]): Promise<string> {
  const dir = path.join(readSettings().DATA_DIR, 'transcripts');
  // A transcript is personal data: readable by the account that runs ServiceSim only, like the evidence.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${scenario.id}.json`);
  // The scenario's content hash: `servicesim score` refuses to score it against a changed scenario.
  const scenarioHash = scenarioHashOf(scenario);
  const saved = { scenario: scenario.id, ...(scenarioHash ? { scenarioHash } : {}), turns };
  await writeFile(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  return path.relative(process.cwd(), file) || file;
}

function wrap(text: string, width = 96): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if ((line + ' ' + word).trim().length > width) {
      lines.push(line);
      line = word;
    } else line = `${line} ${word}`.trim();
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
