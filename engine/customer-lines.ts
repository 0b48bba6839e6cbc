/**
 * What the scripted customer can say in each situation, and when each wording fits.
 *
 * @remarks
 * Several general wordings per situation so that replies vary; a scenario's own wordings (`lines:`)
 * come first. A wording that presupposes something (that the learner said "calm down", that the
 * customer has told them before, that the customer asked a question) carries that as data: a
 * trigger (`when`) or the learner's words it echoes (`echoes`). It is said only when that holds, so
 * the customer never accuses the learner of words they did not use. A scenario's plain-text line is
 * read for the same by the cues in PRESUPPOSITION_CUES; an author overrides that reading by writing
 * the line as `says:` with its own `when:` or `echoes:`.
 */
import type { LearnerTurn, Moves } from './learner-turn.ts';
import { phrases } from './phrase-pattern.ts';
import type { LINE_TRIGGERS, Scenario } from './scenario-schema.ts';
import { analyse } from './utterance.ts';
import { CARDINAL_WORDS, TENS_WORDS } from './number-words.ts';

/** The situations the customer has wordings for. */
export const LINE_KINDS = [
  'pushback',
  'askWhy',
  'askWhoElse',
  'accept',
  'calmer',
  'angrier',
  'confused',
  'unknown',
  'goodbye',
  'calmDown',
  'blamed',
  'jargon',
  'dismissed',
  'vague',
  'ignored',
  'repeat',
  'waitForApproval',
  'referralAccepted',
  'awaitNews',
  'noted',
  'nudge',
  'confirmUnderstanding',
  'offTopic',
  'botQuestion',
] as const;
export type LineKind = (typeof LINE_KINDS)[number];

type LineTrigger = (typeof LINE_TRIGGERS)[number];

/** A wording and what must hold for it to be said; plain text needs nothing. */
type Line = string | { says: string; when?: LineTrigger; echoes?: readonly string[] };

/** What a line's needs are judged against: the learner's message and what came before it. */
export interface LineContext {
  scenario: Scenario;
  turn: LearnerTurn;
  /** Something is firmly on offer in this message. */
  offered: boolean;
  /** The customer told the learner a hidden fact, or pressed its demand, before this message. */
  toldBefore: boolean;
  /** The customer's last message asked the learner something. */
  customerAsked: boolean;
  /** The learner's words, in the form echoes are matched in (see `heardForm`). */
  heard: string;
}

export function lineContext(fields: Omit<LineContext, 'heard'>): LineContext {
  return { ...fields, heard: heardForm(fields.turn.text) };
}

const has = (c: LineContext, ...kinds: Array<keyof Moves>) => kinds.some((k) => (c.turn.moves[k]?.length ?? 0) > 0);
const refused = (c: LineContext) => c.turn.refusals.length > 0 || has(c, 'refuse');

/** How each trigger is recognised; the list of triggers, with what each means, is `LINE_TRIGGERS`. */
const TRIGGER_HOLDS: Record<LineTrigger, (c: LineContext) => boolean> = {
  'told-to-calm-down': (c) => has(c, 'calmDown'),
  blamed: (c) => has(c, 'blame'),
  dismissed: (c) => has(c, 'dismiss'),
  jargon: (c) => has(c, 'jargon'),
  'vague-promise': (c) => has(c, 'vaguePromise', 'placate'),
  reassured: (c) => has(c, 'placate'),
  refused,
  'refused-without-reason': (c) => refused(c) && !has(c, 'reason'),
  offered: (c) => c.offered,
  'approval-sought': (c) => has(c, 'seekApproval', 'escalate', 'stateLimit'),
  'told-before': (c) => c.toldBefore,
  'customer-asked': (c) => c.customerAsked,
  'repeat-problem': (c) => c.scenario.repeatedProblem !== undefined,
};

/**
 * The general wordings. Every situation keeps at least one wording that needs nothing, so there is
 * always something to say.
 */
const GENERAL: Record<LineKind, readonly Line[]> = {
  pushback: [
    'Is that really the best you can do?',
    "Hmm. I'm not sure that's good enough, to be honest.",
    "That doesn't really solve it for me.",
    'I was hoping for a bit more than that.',
  ],
  askWhy: [
    'Why not?',
    "Why can't you? Nobody has explained that to me.",
    "But why? That doesn't make sense to me.",
    { says: "What do you mean you can't? Why?", echoes: ['can not'] },
  ],
  askWhoElse: [
    'So who can help me, then?',
    'Then where am I supposed to go with this?',
    'Is there anyone else I can speak to?',
    'So what do I do now? Who else can sort this out?',
  ],
  accept: [
    'OK. Yes, that would work for me.',
    "Right, fine. Let's do that.",
    'Yes, OK, I can live with that.',
    'Alright. That sounds reasonable.',
  ],
  calmer: [
    'OK. Thank you for listening, at least.',
    'Right. Well, I appreciate that.',
    'OK, thank you. That helps a bit.',
    "Thanks. It's good that someone is taking this seriously.",
  ],
  angrier: [
    "You're not listening to me.",
    'This is getting ridiculous.',
    "I'm getting really fed up now.",
    "That's exactly the kind of answer that makes me angrier.",
  ],
  confused: [
    "Sorry, I don't quite follow. What does that mean for me?",
    "I'm a bit lost. Can you say that more simply?",
    'Sorry, what do I need to do?',
  ],
  unknown: [
    "I'm not sure, to be honest.",
    "I don't know about that. I just want it sorted.",
    "I couldn't tell you. All I know is it needs sorting.",
  ],
  goodbye: ['OK. Thank you. Goodbye.', 'Right, thanks for your help. Bye.', 'Fine. Thank you. Bye for now.'],
  calmDown: [
    { says: "Don't tell me to calm down!", echoes: ['calm down'] },
    { says: "Calm down? I've every right to be upset.", echoes: ['calm down'] },
    { says: "Telling me to calm down isn't going to help.", echoes: ['calm down'] },
    "Don't talk to me like that. I've every right to be upset.",
    "I'm not the one who needs to change their tone here.",
  ],
  blamed: ['Are you saying this is my fault?', "Don't you dare put this on me.", "So it's my fault now, is it?"],
  jargon: ["I've no idea what that means.", 'Can you say that in plain English?', "I don't know what any of that means."],
  dismissed: [
    "So you're just going to leave me like this?",
    { says: "That's not good enough. It is your problem.", echoes: ['problem'] },
    'Brilliant. So nobody can help me.',
    "That's not good enough. Somebody there must be able to do something.",
  ],
  vague: [
    { says: "'Soon'? When exactly?", echoes: ['soon'] },
    { says: "That's what I was told last time. When, exactly?", when: 'repeat-problem' },
    'What does that actually mean? When will it happen?',
    'I need a time, not a maybe. When, exactly?',
  ],
  ignored: [
    'Did you hear what I just said?',
    { says: "You haven't answered my question.", when: 'customer-asked' },
    { says: "That's not what I asked.", when: 'customer-asked' },
    'Hello? Are you going to help me with this or not?',
  ],
  // Said only of a fact the customer has told before, filled with the words it was told in.
  repeat: [
    { says: 'As I said, {fact}', when: 'told-before' },
    { says: 'I told you: {fact}', when: 'told-before' },
    { says: 'Like I said, {fact}', when: 'told-before' },
  ],
  waitForApproval: [
    'OK. And when will I hear back?',
    'Fine, ask them. But I want an answer today.',
    "Alright, but please don't leave me waiting.",
  ],
  referralAccepted: [
    "OK. I'll get in touch with them, then. Thank you for explaining.",
    'Right. At least I know where to go now.',
    "Fine, I'll try them. Thanks for being straight with me.",
  ],
  // A time has been promised for an answer: the customer agrees to wait, and does not yet say goodbye.
  awaitNews: ["OK. I'll wait to hear from you, then.", 'Right. As long as I hear back by then.', "OK. I'll hold you to that."],
  // Something is agreed, and the learner adds to it without closing.
  noted: ['Right, got that.', 'OK, thanks for letting me know.', 'OK. Good to know.'],
  nudge: ['So what are you going to do about it?', 'What happens now, then?', 'And? What are you actually going to do for me?'],
  confirmUnderstanding: ["Yes, that's right.", 'Yes, exactly that.', "That's it, yes."],
  offTopic: [
    "Sorry, what's that got to do with anything? I just want this sorted.",
    "I'm not here for a chat, to be honest. Can we get back to my problem?",
    "Let's stick to why I'm here, please.",
  ],
  botQuestion: [
    { says: "A bot? No. I'm a real person with a real problem. Can we get back to it?", echoes: ['bot'] },
    "What? No. I'm just someone who wants this sorted. Can we get on with it?",
    "Of course I'm a person. Now, can you help me with this or not?",
  ],
};

/** The general wordings need only what they declare: none is read for cues. */
const DECLARED = {} as Record<LineKind, readonly Line[]>;
for (const kind of LINE_KINDS) DECLARED[kind] = GENERAL[kind].map((line) => (typeof line === 'string' ? { says: line } : line));

/**
 * A provocation a scenario's `angrier` line may be tied to, by situation: "Don't tell me to calm
 * down. My kitchen's underwater." is the scenario's answer to being told to calm down.
 */
const PROVOCATIONS: Partial<Record<LineKind, LineTrigger>> = {
  calmDown: 'told-to-calm-down',
  blamed: 'blamed',
  dismissed: 'dismissed',
  jargon: 'jargon',
  vague: 'vague-promise',
  askWhy: 'refused-without-reason',
};

/**
 * The wordings that fit this message, the scenario's own first; never empty. Of those, the ones
 * tied to what just happened ("Fifty quid?" to an offer of £50) are the natural answer. Wordings
 * said lately give way to others, the general ones included, so a customer provoked twice in the
 * same way does not say the same thing twice.
 */
export function linesFor(scenario: Scenario, kind: LineKind, context: LineContext, recent: readonly string[] = []): string[] {
  const own = kind in scenario.lines ? (scenario.lines[kind as keyof Scenario['lines']] ?? []) : [];
  const provocation = PROVOCATIONS[kind];
  const tied = provocation ? (scenario.lines.angrier ?? []).filter((line) => needsOf(line).when === provocation) : [];
  const pools = [[...own, ...tied], DECLARED[kind]].map((pool) => pool.filter((line) => fits(line, context)));
  for (const fitting of pools) {
    const fresh = fitting.filter((line) => !recent.includes(wordsOf(line)));
    const pointed = fresh.filter(isTied);
    if (fresh.length > 0) return (pointed.length > 0 ? pointed : fresh).map(wordsOf);
  }
  return (pools.find((fitting) => fitting.length > 0) ?? []).map(wordsOf);
}

function isTied(line: Line): boolean {
  const { when, echoes } = needsOf(line);
  return when !== undefined || echoes !== undefined;
}

function wordsOf(line: Line): string {
  return typeof line === 'string' ? line : line.says;
}

function fits(line: Line, context: LineContext): boolean {
  const { when, echoes } = needsOf(line);
  return (when === undefined || TRIGGER_HOLDS[when](context)) && (echoes ?? []).every((word) => heardWord(context.heard, word));
}

interface Needs {
  when?: LineTrigger;
  echoes?: readonly string[];
}

const INFERRED = new Map<string, Needs>();

/** What a line needs: as declared, or for a plain line, as its cues show. */
function needsOf(line: Line): Needs {
  if (typeof line !== 'string') return line;
  let needs = INFERRED.get(line);
  if (!needs) {
    needs = inferNeeds(line);
    INFERRED.set(line, needs);
  }
  return needs;
}

/**
 * Cues that a plain line presupposes something, in order: the first that matches gives the line's
 * trigger. Reviewable data: add a cue when a scenario's line is said where it does not fit.
 */
const PRESUPPOSITION_CUES: ReadonlyArray<{ cue: RegExp; when: LineTrigger }> = [
  { cue: phrases(['calm down', 'stop shouting'], { end: 'word' }), when: 'told-to-calm-down' },
  { cue: phrases(['my fault', 'blame me', 'blaming me', 'put this on me', 'put it on me'], { end: 'word' }), when: 'blamed' },
  {
    cue: phrases(['i told you', 'i have told you', 'i have just told you', 'already told', 'as i said', 'like i said'], {
      end: 'word',
    }),
    when: 'told-before',
  },
];

/** "Don't tell me X", "don't read me X": X is what the learner must have said. */
const DONT_TELL_ME = /\b(?:don['’]t|do not) (?:tell|quote|read)(?: me)? ([^.!?]*)/i;
/** A quotation of the learner: 'usually', "a process". An apostrophe inside a word starts none. */
const QUOTATION = /(?:^|[\s(—–-])['‘"“]([^'‘’"“”]+)['’"”](?=$|[\s.,!?;:)—–-])/g;
/** A line's first fragment, up to its first stop, question mark or dash: "Fifty quid?", "Twenty-five quid." */
const FIRST_FRAGMENT = /^\s*([^.?!—–]+?)\s*([.?!—–]|\s-\s)/;

/** Words that open a fragment of the customer's own, not an echo of the learner's ("Why not?", "Right."). */
const OWN_OPENERS = new Set(
  (
    'why what how who where when which is are was were am do does did can could will would should have has had ' +
    'so then and but that it this i you we they he she there here not no yes ok okay right fine well look oh ah hmm ' +
    'brilliant great lovely sorry thanks thank cheers bye alright all really seriously honestly please pardon ' +
    'come go listen wait hang hello hi good sure fair exactly typical unbelievable nice perfect hold'
  ).split(' '),
);

/** Words an echo carries no weight by: the learner need not have said them. */
const UNHEARD = new Set(
  (
    'a an the to be me you your yours my mine i it its is are was were am that this these those there here ' +
    's t ve ll re d m can could not no do does did of in on at and or but so just for what which who with ' +
    'from by as if then than have has had will would should shall may might must we us our they them their ' +
    'he she his her him some any all only very really quite much more less again still too also now well ' +
    "oh off up out after quid pound pounds p pence o'clock clock oclock about get got how why when where"
  ).split(' '),
);

function inferNeeds(line: string): Needs {
  const heard = heardForm(line);
  const cued = PRESUPPOSITION_CUES.find(({ cue }) => cue.test(heard));
  const when = cued?.when;
  const echoes = new Set<string>();
  // "Calm down? I've every right…" quotes the learner: "relax" is not what it answers.
  if (when === 'told-to-calm-down') echoes.add(cued!.cue.exec(heard)![0]);
  const addWords = (text: string) => {
    for (const word of heardForm(text).split(' ')) if (word && !UNHEARD.has(word)) echoes.add(word);
  };
  for (const [, quoted] of line.matchAll(QUOTATION)) addWords(quoted!);
  // Tied to the provocation already: "Don't tell me to calm down" needs no "calm" of its own.
  const toldNot = DONT_TELL_ME.exec(line)?.[1];
  if (toldNot && when !== 'told-to-calm-down' && when !== 'blamed') addWords(toldNot);
  const fragment = echoFragment(line);
  if (fragment) addWords(fragment);
  return { ...(when ? { when } : {}), ...(echoes.size > 0 ? { echoes: [...echoes] } : {}) };
}

/**
 * The first fragment of a line when it echoes the learner: a short question ("Saturday?",
 * "Collect it?") or a short fragment with no verb ("Twenty-five quid."), not opening as the
 * customer's own words do ("Why not?", "Right.").
 */
function echoFragment(line: string): string | undefined {
  const match = FIRST_FRAGMENT.exec(line);
  if (!match) return undefined;
  const fragment = match[1]!.replace(/^['‘"“]|['’"”]$/g, '');
  const words = heardForm(fragment).split(' ').filter(Boolean);
  if (words.length === 0 || OWN_OPENERS.has(words[0]!)) return undefined;
  if (match[2] === '?') return words.length <= 5 ? fragment : undefined;
  const verbless = analyse(fragment).sentences.every((s) => s.tokens.every((t) => t.pos !== 'VERB' && t.pos !== 'AUX'));
  return words.length <= 4 && verbless ? fragment : undefined;
}

const CONTRACTED: Record<string, string> = { ve: 'have', ll: 'will', re: 'are', m: 'am' };
/** Number words by value: zero to nineteen, and the tens by their tens digit. */
const UNITS = Object.keys(CARDINAL_WORDS);
const TENS = ['', '', ...Object.keys(TENS_WORDS)];
const NUMBER_WORD = new RegExp(
  `\\b(?:(${TENS.slice(2).join('|')})(?:[- ](${UNITS.slice(1, 10).join('|')}))?|(${UNITS.join('|')}))\\b`,
  'g',
);

/**
 * Text as echoes are matched in: lower case, contractions spelt out, numbers as digits ("fifty
 * quid" and "£50" both hold 50), ordinals and units apart from their digits, hyphens as spaces.
 */
function heardForm(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\bcan(?:'t|not)\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/n't\b/g, ' not')
    .replace(/'(ve|ll|re|m)\b/g, (_, short: string) => ` ${CONTRACTED[short]}`)
    .replace(/'(s|d)\b/g, ' $1')
    .replace(NUMBER_WORD, (_, tens?: string, unit?: string, single?: string) =>
      String(single !== undefined ? UNITS.indexOf(single) : TENS.indexOf(tens!) * 10 + (unit ? UNITS.indexOf(unit) : 0)),
    )
    .replace(/(\d)(?:st|nd|rd|th)\b/g, '$1')
    .replace(/(\d)([a-z])/g, '$1 $2')
    .replace(/[^a-z0-9:' ]+/g, ' ')
    .replace(/'(?![a-z])|(?<![a-z])'/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether the learner said this word or phrase, allowing a plural ("heater" in "heaters"). */
function heardWord(heard: string, word: string): boolean {
  const wanted = heardForm(word);
  if (wanted === '') return true;
  const stem = wanted.replace(/(?<=[a-z]{3})e?s$/, '');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b(?:${escape(wanted)}|${escape(stem)}(?:s|es)?)\\b`).test(heard);
}
