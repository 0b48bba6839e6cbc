/**
 * The words of one scenario that the general detectors need: what each hidden fact is about, and
 * how its sources of help and approvers are named. Built once per scenario and reused every turn.
 */
import { phrases } from './phrase-pattern.ts';
import type { ActionKind, Scenario } from './scenario-schema.ts';
import { analyse, type Sentence } from './utterance.ts';

/** Words too common in names of teams and services to identify one. */
const GENERIC_NAME_WORDS = new Set([
  'team',
  'service',
  'services',
  'line',
  'helpline',
  'customer',
  'customers',
  'department',
  'desk',
  'centre',
  'center',
  'office',
  'the',
  'our',
  'your',
  'my',
  'of',
  'and',
  'for',
  'via',
  'local',
  'uk',
  'national',
  'online',
  'website',
  'form',
]);

export interface NamedThing {
  id: string;
  name: string;
  /** Distinctive lemmas of the name; a sentence naming it contains enough of them. */
  words: string[];
  /** People's names in it ("Workshop manager (Phil Ackroyd)" → Phil, Ackroyd): one is enough. */
  people: string[];
}

/**
 * How a question topic is recognised: by its content words in any order ("when bought"), or, when
 * it is made of common words only ("how often", "call back"), as that phrase of lemmas.
 */
/**
 * How a question is recognised as being about a fact: its content words, or a phrase of function
 * words. A topic of one content word keeps its question word ("which order" → order, asked with
 * "which"), so that it does not match every question that happens to use that word.
 */
export type Topic = { words: string[]; asks?: string } | { phrase: string };

/** Question words that tell one single-word topic from any question using the word. */
const QUESTION_WORDS = new Set(['who', 'what', 'when', 'where', 'why', 'how', 'which', 'whose']);

export interface ScenarioVocabulary {
  factTopics: Array<{ factId: string; topics: Topic[] }>;
  sources: NamedThing[];
  approvers: NamedThing[];
  /** What the learner must never promise: each clause of each rule, by its distinctive words. */
  forbidden: Array<{ action: ActionKind; what: string; words: string[] }>;
  /** The customer's own name and the staff named in the scenario, so another customer's name stands out. */
  customerNames: Set<string>;
  /** Short forms the customer knows (in their own words, what they were sent, or the names of the sources of help): not jargon. */
  customerAcronyms: Set<string>;
  /** The scenario's own words for its options: an offer of the option, whatever the general words say. */
  optionWordings: Array<{ action: ActionKind; amount?: number; wording: RegExp }>;
  /** The words that name a form of an action with its own authority ("a same-day collection"). */
  forms: Array<{ action: ActionKind; form: string; wording: RegExp }>;
}

const cache = new WeakMap<Scenario, ScenarioVocabulary>();

export function vocabularyOf(scenario: Scenario): ScenarioVocabulary {
  const known = cache.get(scenario);
  if (known) return known;
  const vocabulary: ScenarioVocabulary = {
    factTopics: scenario.facts.map((fact) => ({ factId: fact.id, topics: fact.topics.map(readTopic).filter((t) => t !== undefined) })),
    sources: scenario.sourcesOfHelp.map((s) => named(s.id, s.name)),
    approvers: [...new Set(scenario.authority.needsApproval.map((n) => n.approver))].map((a) => named(a, a)),
    forbidden: scenario.authority.never
      .flatMap((n) => promiseClauses(n.what).map((clause) => ({ action: n.action, what: n.what, words: distinctiveWords(clause) })))
      .filter((f) => f.words.length >= 2),
    customerNames: new Set(
      [
        scenario.customer.name,
        scenario.briefing,
        ...scenario.sourcesOfHelp.map((s) => `${s.name} ${s.contact}`),
        ...scenario.authority.needsApproval.map((n) => `${n.approver} ${n.how}`),
      ]
        .join(' ')
        .toLowerCase()
        .split(/[^a-z'\u2019-]+/),
    ),
    // The names of the places the customer is sent ("the DVSA", "TDS") are what they will look up.
    customerAcronyms: new Set(
      [scenario.customer.opening, ...scenario.facts.flatMap((f) => f.says), ...scenario.sourcesOfHelp.map((s) => s.name)]
        .join(' ')
        .match(/\b[A-Z0-9]*[A-Z]{2}[A-Z0-9]*\b/g) ?? [],
    ),
    // A wording that names who approves ("team leader") would make every mention of them an offer.
    optionWordings: scenario.options.flatMap((option) =>
      (option.wordings ?? [])
        .filter((w) => !namesWhoDecides(w, scenario))
        .map((w) => ({
          action: option.action,
          ...(option.amount === undefined ? {} : { amount: option.amount }),
          wording: wordingPattern(w),
        })),
    ),
    forms: [...scenario.authority.mayOffer, ...scenario.authority.needsApproval, ...scenario.authority.never].flatMap((entry) =>
      entry.form === undefined
        ? []
        : (entry.wordings ?? []).map((w) => ({ action: entry.action, form: entry.form!, wording: wordingPattern(w) })),
    ),
  };
  cache.set(scenario, vocabulary);
  return vocabulary;
}

/**
 * An author's wording as a pattern on a sentence's plain form (lower case, contractions expanded),
 * whole words only: "same day" is found in "a same-day collection" but not in "the same daytime".
 */
function wordingPattern(wording: string): RegExp {
  const words = analyse(wording)
    .sentences.map((s) => s.plain.replace(/[.!?]+$/, ''))
    .join(' ')
    .split(/\s*-\s*|\s+/)
    .filter((w) => w.length > 0);
  // The reader writes "same-day" as "same - day": a hyphen or a space between words, either way.
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const between = '(?:\\s*-\\s*|\\s+)';
  // "Email the certificate" is said "email you the certificate", "send it over": who it goes to may
  // follow the verb.
  const first = escaped.length > 1 ? `${escaped[0]}(?:\\s+(?:you|him|her|them|it|over|across|back))?${between}` : (escaped[0] ?? '');
  return new RegExp(`(?<![a-z0-9])${first}${escaped.slice(1).join(between)}(?![a-z0-9])`);
}

/** True when the sentence mentions every word of a topic (or two of three or more), or its phrase. */
export function sentenceMatchesTopic(sentence: Sentence, topic: Topic): boolean {
  if ('phrase' in topic) return ` ${sentence.lemmas} `.includes(` ${topic.phrase} `);
  if (topic.asks !== undefined && !sentence.lemmaSet.has(topic.asks)) return false;
  const present = topic.words.filter((lemma) => sentence.lemmaSet.has(lemma)).length;
  return present === topic.words.length || (topic.words.length >= 3 && present >= 2);
}

export function sentenceNames(sentence: Sentence, thing: NamedThing): boolean {
  if (thing.people.some((person) => new RegExp(`\\b${person}\\b`).test(sentence.text))) return true;
  if (thing.words.length === 0) return false;
  const present = thing.words.filter((w) => sentence.lemmaSet.has(w)).length;
  return present >= Math.min(2, thing.words.length);
}

/** Verbs any question uses ("can you tell me…"): they say nothing about which fact is asked for. */
const REQUEST_VERBS = new Set([
  'tell',
  'say',
  'ask',
  'know',
  'think',
  'want',
  'need',
  'like',
  'let',
  'mind',
  'check',
  'explain',
  'describe',
  'talk',
]);

/** Words too small to make a phrase topic on their own: "what is it" would match any question. */
const FUNCTION_WORDS = new Set([
  'a',
  'an',
  'the',
  'be',
  'do',
  'have',
  'it',
  'you',
  'i',
  'we',
  'they',
  'he',
  'she',
  'what',
  'how',
  'why',
  'when',
  'where',
  'who',
  'which',
  'is',
  'of',
  'to',
  'in',
  'on',
  'at',
  'for',
  'with',
  'that',
  'this',
  'there',
  'can',
  'could',
  'would',
  'will',
  '?',
  '.',
  ',',
]);

/** How a topic is recognised, or undefined when no question could be told apart by it. */
export function readTopic(topic: string): Topic | undefined {
  const analysed = analyse(topic);
  const words = [...analysed.contentLemmas].filter((l) => !REQUEST_VERBS.has(l));
  const asks = analysed.sentences.flatMap((s) => s.tokens.map((t) => t.lemma)).find((l) => QUESTION_WORDS.has(l));
  if (words.length === 1 && asks !== undefined) return { words, asks };
  if (words.length > 0) return { words };
  const lemmas = analysed.sentences.flatMap((s) => s.tokens.map((t) => t.lemma)).filter((l) => !/^[?.!,]$/.test(l));
  return lemmas.some((l) => !FUNCTION_WORDS.has(l)) ? { phrase: lemmas.join(' ') } : undefined;
}

/**
 * The clauses of a `never` rule that name a promise: "Never guarantee a completion time, or say
 * 'it will be ready by…'. Technician availability is outside your control." gives the first two;
 * explanations ("because…", "which…") and advice on what to do instead are left out.
 */
function promiseClauses(what: string): string[] {
  return (
    what
      .split(RULE_CLAUSE_BREAK)
      .map((c) => c.split(/,?\s+(?:which|because|as|since|so|until|unless|instead|before)\b/i)[0]!.trim())
      // Advice on what to do instead ("Give the manager's estimate…") names no forbidden promise.
      .filter((c) => c.length > 0 && !/^(?:give|ring|call|explain|offer to|refer|ask|instead)\b/i.test(c))
  );
}

/** Where one clause of a `never` rule ends and the next begins. */
const RULE_CLAUSE_BREAK = phrases(
  [
    /[.;:]\s+/,
    /,\s*or\s+/,
    // "…or say 'it will be ready by…'": an "or" before another way of promising.
    /\s+or\s+(?=say|promise|tell|offer|imply|suggest|hint|agree)/,
    // A bracketed aside is a clause of its own.
    /\s*\(/,
    /\)/,
  ],
  { begin: 'anywhere', flags: 'i' },
);

/** Capitalised words that name a role or a place of work rather than a person. */
const ROLE_WORDS = new Set([
  'Manager',
  'Team',
  'Leader',
  'Duty',
  'Club',
  'Workshop',
  'Store',
  'Customer',
  'Relations',
  'Reservations',
  'Billing',
  'Network',
  'Fault',
  'Escalation',
  'Senior',
  'Head',
  'Office',
  'Pharmacist',
  'Service',
  'Services',
  'Department',
  'Station',
  'Salon',
  'Support',
  'Desk',
  'The',
  'Our',
  'Area',
  'Regional',
  'Branch',
  'Shift',
  'Supervisor',
  'Technical',
  'Quality',
  'Complaints',
  'Incident',
]);

function named(id: string, name: string): NamedThing {
  const people = (name.match(/\b[A-Z][a-z]+\b/g) ?? []).filter((w, i) => !ROLE_WORDS.has(w) && (i > 0 || /\(/.test(name)));
  return { id, name, words: distinctiveWords(name), people };
}

/** Words that promise nothing in particular: left out when matching a forbidden promise. */
const PROMISE_WORDS = new Set([
  'promise',
  'guarantee',
  'say',
  'tell',
  'offer',
  'agree',
  'make',
  'will',
  'can',
  'customer',
  'before',
  'approve',
  'approved',
  'confirm',
  'give',
]);

function distinctiveWords(text: string): string[] {
  const words = analyse(text)
    .sentences.flatMap((s) => s.tokens)
    .filter((t) => /[a-z]/.test(t.lemma) && !t.stop && !GENERIC_NAME_WORDS.has(t.lemma) && !PROMISE_WORDS.has(t.lemma) && t.pos !== 'PUNCT')
    .map((t) => t.lemma);
  return [...new Set(words)];
}

/**
 * Whether an option's wording names who approves it rather than the remedy: "team leader" as a
 * wording of alternative accommodation. (A source of help may be the remedy: "the complaints team".)
 */
export function namesWhoDecides(wording: string, scenario: Pick<Scenario, 'authority'>): boolean {
  const w = wording.trim().toLowerCase();
  const who = scenario.authority.needsApproval.map((n) => n.approver);
  return w.length > 0 && who.some((name) => new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(name.toLowerCase()));
}
