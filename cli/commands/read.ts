/**
 * `servicesim read --scenario <id|path> "<learner line>" [--after "<earlier line>"…] [--json]`:
 * how the engine reads one learner line in a scenario, for scenario authors: the behaviours it
 * finds, the questions and the facts they ask about, the offers with their amounts and authority,
 * whether approval was sought, the breaches it would be, and the hidden facts it would reveal.
 *
 * @remarks
 * Authors use it instead of writing scripts to check that their topics, options and authority
 * read as they meant. It shows the engine's own reading (`readConversation`, the same one the
 * scripted customer and the scorer use) and the engine's own matchers to say which words did it;
 * it decides nothing itself, so it can never disagree with a rehearsal. The line is read as the
 * reply to the customer's opening, or, in a scenario the learner opens (`openedBy: learner`), as
 * the learner's first words with no customer message before them; `--after` lines are the learner's
 * earlier turns, read first, for what a reading carries forward (approval already sought, news
 * already heard). It also shows the news (`moodEvents`) the line would give the customer.
 */
import type { Command } from 'commander';
import { findBreaches } from '../../engine/authority-breaches.ts';
import type { AuthorityRoute } from '../../engine/authority-check.ts';
import { readConversation } from '../../engine/conversation-reading.ts';
import type { LearnerTurn, Moves } from '../../engine/learner-turn.ts';
import { formatPounds } from '../../engine/money.ts';
import { newsIn } from '../../engine/mood-events.ts';
import { MOVE_PATTERNS } from '../../engine/move-patterns.ts';
import type { Scenario } from '../../engine/scenario-schema.ts';
import { readTopic, sentenceMatchesTopic } from '../../engine/scenario-vocabulary.ts';
import type { Breach } from '../../engine/score-report.ts';
import { MAX_TURN_CHARS, type Turn } from '../../engine/transcript.ts';
import { analyse } from '../../engine/utterance.ts';
import { findScenario } from '../scenario-lookup.ts';
import { UsageError } from '../usage-error.ts';

export function registerReadCommand(program: Command): void {
  program
    .command('read')
    .description('show how the engine reads one learner line in a scenario: behaviours, questions, offers, breaches, facts revealed')
    .argument('<line>', 'what the learner says, in quotes')
    .requiredOption('--scenario <id|path>', 'scenario id, or path to a scenario YAML file')
    .option('--after <line>', 'an earlier learner line, read first (repeat for several, in order)', collect, [])
    .option('--json', 'print the reading as JSON')
    .action(async (line: string, options: { scenario: string; after: string[]; json?: boolean }) => {
      const said = checkedLine(line, 'the learner line');
      const after = options.after.map((earlier, i) => checkedLine(earlier, `--after line ${i + 1}`));
      const scenario = await findScenario(options.scenario);
      const reading = readLine(scenario, said, after);
      process.stdout.write(options.json ? `${JSON.stringify(reading, null, 2)}\n` : formatReading(reading));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function checkedLine(text: string, what: string): string {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new UsageError(`${what} is empty: give what the learner says, in quotes`);
  if (trimmed.length > MAX_TURN_CHARS) throw new UsageError(`${what} is longer than ${MAX_TURN_CHARS} characters`);
  return trimmed;
}

/** One behaviour found, with the sentences that show it and, where a phrase rule found it, the words. */
interface Behaviour {
  kind: string;
  quotes: string[];
  /** The words the behaviour's phrase rule matched, in the engine's plain form ("can't" → "can not"). */
  triggers?: string[];
}

interface Question {
  quote: string;
  open: boolean;
  /** The facts this question asks about, and the topics of each it matched. */
  asks: Array<{ fact: string; topics: string[] }>;
}

/** A mood event the line sets off, with the topics of it the line matched. */
interface NewsGiven {
  hears: string[];
  moodChange: number;
  once: boolean;
  says?: string;
}

interface LineReading {
  scenario: string;
  /** Who speaks first in the scenario: the line answers the customer's opening, or opens. */
  openedBy: Scenario['openedBy'];
  line: string;
  after: string[];
  behaviours: Behaviour[];
  questions: Question[];
  offers: LearnerTurn['offers'];
  refusals: LearnerTurn['refusals'];
  /** Actions named as possibilities without being put on offer. */
  mentioned: LearnerTurn['mentioned'];
  approvalSought: boolean;
  breaches: Breach[];
  /** Ids of the hidden facts the line asks about: the customer reveals these. */
  reveals: string[];
  sourcesNamed: string[];
  commitments: LearnerTurn['commitments'];
  /** News the line gives that moves the customer's mood (`moodEvents`), less once-only news given in an --after line. */
  news: NewsGiven[];
}

function readLine(scenario: Scenario, line: string, after: readonly string[]): LineReading {
  // In a scenario the learner opens, the first line has no customer message before it.
  const turns: Turn[] = [
    ...(scenario.openedBy === 'learner' ? [] : [{ role: 'customer' as const, text: scenario.customer.opening }]),
    ...[...after, line].map((text) => ({ role: 'learner' as const, text })),
  ];
  const reading = readConversation(scenario, turns).learnerTurns.at(-1)!;
  const sentences = analyse(line).sentences;
  const heardBefore = after.flatMap((earlier) => newsIn(scenario, earlier).map((n) => n.index));
  return {
    scenario: scenario.id,
    openedBy: scenario.openedBy,
    line,
    after: [...after],
    behaviours: behavioursOf(reading.moves, sentences),
    questions: questionsOf(scenario, reading, sentences),
    offers: reading.offers,
    refusals: reading.refusals,
    mentioned: reading.mentioned,
    approvalSought: reading.approvalSought,
    breaches: findBreaches([reading]),
    reveals: reading.factsAsked,
    sourcesNamed: reading.sourcesNamed,
    commitments: reading.commitments,
    news: newsIn(scenario, line, heardBefore).map(({ event }) => ({
      hears: event.hears.filter((topic) => {
        const read = readTopic(topic);
        return read !== undefined && sentences.some((sentence) => sentenceMatchesTopic(sentence, read));
      }),
      moodChange: event.moodChange,
      once: event.once,
      ...(event.says ? { says: event.says } : {}),
    })),
  };
}

type Sentences = ReturnType<typeof analyse>['sentences'];

function behavioursOf(moves: Moves, sentences: Sentences): Behaviour[] {
  return Object.entries(moves).map(([kind, quotes]) => {
    const pattern = Object.hasOwn(MOVE_PATTERNS, kind) ? MOVE_PATTERNS[kind as keyof typeof MOVE_PATTERNS] : undefined;
    const triggers = pattern
      ? quotes.flatMap((quote) => {
          const plain = sentences.find((s) => s.text === quote)?.plain;
          const match = plain === undefined ? null : plain.match(pattern);
          return match ? [match[0].trim()] : [];
        })
      : [];
    return { kind, quotes, ...(triggers.length > 0 ? { triggers: [...new Set(triggers)] } : {}) };
  });
}

/** The reading's questions, with the topics that made each ask about a fact (the facts are the reading's own). */
function questionsOf(scenario: Scenario, reading: LearnerTurn, sentences: Sentences): Question[] {
  const open = new Set(reading.moves.openQuestion ?? []);
  const quotes = [...new Set([...(reading.moves.openQuestion ?? []), ...(reading.moves.closedQuestion ?? [])])];
  return quotes.map((quote) => {
    const sentence = sentences.find((s) => s.text === quote);
    const asks = scenario.facts
      .filter((fact) => reading.factsAsked.includes(fact.id))
      .map((fact) => ({
        fact: fact.id,
        topics: sentence
          ? fact.topics.filter((topic) => {
              const read = readTopic(topic);
              return read !== undefined && sentenceMatchesTopic(sentence, read);
            })
          : [],
      }))
      .filter((asked) => asked.topics.length > 0);
    return { quote, open: open.has(quote), asks };
  });
}

function formatReading(reading: LineReading): string {
  const out: string[] = [];
  const context = reading.after.length > 0 ? `, after ${reading.after.length} earlier learner line(s)` : '';
  const as = reading.openedBy === 'learner' ? 'as the learner opening the conversation' : "as the reply to the customer's opening";
  out.push(`How ${reading.scenario} reads "${reading.line}" (${as}${context})`, '');

  out.push('Behaviours:');
  if (reading.behaviours.length === 0) out.push('  none');
  for (const b of reading.behaviours) {
    const triggers = b.triggers ? ` (on "${b.triggers.join('", "')}")` : '';
    out.push(`  ${b.kind}${triggers}: ${b.quotes.map((q) => `"${q}"`).join(', ')}`);
  }

  out.push('Questions:');
  if (reading.questions.length === 0) out.push('  none');
  for (const q of reading.questions) {
    const asks =
      q.asks.length === 0
        ? 'asks about no hidden fact'
        : q.asks
            .map(
              (a) =>
                `asks about fact "${a.fact}" (${a.topics.length === 1 ? 'topic' : 'topics'} ${a.topics.map((t) => `"${t}"`).join(', ')})`,
            )
            .join('; ');
    out.push(`  ${q.open ? 'open' : 'closed'}: "${q.quote}" ${asks}`);
  }

  out.push('Offers:');
  if (reading.offers.length === 0 && reading.refusals.length === 0 && reading.mentioned.length === 0) out.push('  none');
  for (const o of reading.offers) {
    const amount = o.amount === undefined ? '' : ` ${formatPounds(o.amount)}`;
    const how = [o.conditional ? 'conditional' : 'outright', ...(o.afterApproval ? ['after approval was sought'] : [])].join(', ');
    out.push(`  ${o.action}${amount}: ${how}; ${describeRoute(o.route)}: "${o.quote}"`);
  }
  for (const r of reading.refusals) out.push(`  ${r.action ?? 'something'}: a refusal, not an offer: "${r.quote}"`);
  for (const action of reading.mentioned) out.push(`  ${action}: mentioned as a possibility, not offered`);

  out.push(`Approval sought: ${reading.approvalSought ? 'yes' : 'no'}`);
  out.push('Authority breaches:');
  if (reading.breaches.length === 0) out.push('  none');
  for (const b of reading.breaches) out.push(`  ${b.rule}: "${b.quote}"`);
  out.push(`Reveals facts: ${reading.reveals.length === 0 ? 'none' : reading.reveals.join(', ')}`);
  if (reading.sourcesNamed.length > 0) out.push(`Sources of help named: ${reading.sourcesNamed.join(', ')}`);
  for (const c of reading.commitments) out.push(`Commitment by ${c.who}${c.when ? `, ${c.when}` : ', with no time given'}: "${c.quote}"`);
  if (reading.news.length > 0) {
    out.push("News that moves the customer's mood:");
    for (const n of reading.news) {
      const change = `${n.moodChange > 0 ? '+' : ''}${String(n.moodChange)} (${n.moodChange > 0 ? 'angrier' : 'calmer'})`;
      const line = n.says ? `; says "${n.says}"` : '';
      out.push(`  ${change} on ${n.hears.map((t) => `"${t}"`).join(', ')}${n.once ? ', the first time only' : ', every time'}${line}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function describeRoute(route: AuthorityRoute): string {
  switch (route.kind) {
    case 'own':
      return route.upTo === undefined
        ? "within the learner's authority"
        : `within the learner's authority (up to ${formatPounds(route.upTo)})`;
    case 'approval':
      return `needs approval from ${route.approver}`;
    case 'forbidden':
      return `never allowed (${route.what})`;
    case 'none':
      return `over the learner's ${formatPounds(route.upTo)} limit, with no one to approve more`;
    case 'unlisted':
      return "not in the scenario's authority, so not judged a breach";
  }
}
