/**
 * One message, analysed once with wink-nlp: sentences, tokens with part of speech, lemma and
 * negation, amounts of money and time expressions. Every detector reads this, so the scripted
 * customer and the scorer always see the same analysis of what the learner wrote.
 */
import winkNLP, { type ItsFunction } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { phrases } from './phrase-pattern.ts';

// Named-entity recognition and negation marking are left out: together they more than double the
// cost, and times and refusals are found by pattern instead.
const nlp = winkNLP(model, ['sbd', 'pos']);
const its = nlp.its;
// Customer turns are read only for what they are about, which needs no part-of-speech tagging.
const nlpWords = winkNLP(model, ['sbd']);

export interface Token {
  text: string;
  lower: string;
  lemma: string;
  pos: string;
  stop: boolean;
}

export interface Sentence {
  text: string;
  tokens: Token[];
  /** Lower-case lemmas joined by single spaces, for phrase matching that ignores inflection. */
  lemmas: string;
  /** Lower-case words joined by single spaces, contractions expanded: "can't" → "can not". */
  plain: string;
  isQuestion: boolean;
  /** Lemmas of the sentence, for topic matching. */
  lemmaSet: Set<string>;
  /** Dates and times in this sentence: "by 5pm", "on Friday", "within 3 working days". */
  times: string[];
}

export interface Utterance {
  text: string;
  sentences: Sentence[];
  /** Lemmas of nouns, verbs, adjectives, numbers and proper nouns, not stop words: what it is about. */
  contentLemmas: Set<string>;
}

const CONTENT_POS = new Set(['NOUN', 'VERB', 'ADJ', 'PROPN', 'NUM', 'ADV']);
/** Words that carry no topic even when tagged as content (auxiliary-like verbs, fillers). */
const LIGHT_WORDS = new Set([
  'be',
  'have',
  'do',
  'get',
  'go',
  'just',
  'really',
  'so',
  'very',
  'then',
  'now',
  'also',
  'okay',
  'ok',
  'well',
  'thank',
  'please',
  'sorry',
  'yes',
  'no',
  'not',
]);
/** First words of a question, for one written without its question mark. */
const QUESTION_OPENERS = phrases(
  [
    // Question words.
    'who',
    'what',
    'when',
    'where',
    'why',
    'how',
    'which',
    'whose',
    // Auxiliaries put first: "is it still under guarantee".
    'is',
    'are',
    'was',
    'were',
    'do',
    'does',
    'did',
    'can',
    'could',
    'would',
    'will',
    'shall',
    'should',
    'have',
    'has',
    'had',
    'may',
    'might',
  ],
  { begin: 'text', end: 'word' },
);
/** Longer messages are cut here for analysis; a learner's reply is never anywhere near it. */
export const MAX_ANALYSED_CHARS = 4000;

export function analyse(text: string): Utterance {
  const doc = nlp.readDoc(text.length > MAX_ANALYSED_CHARS ? text.slice(0, MAX_ANALYSED_CHARS) : text);
  // Reading each attribute for the whole document at once is several times faster than per token.
  const all = doc.tokens();
  const texts = all.out() as string[];
  const normals = all.out(its.normal) as string[];
  const lemmas = all.out(its.lemma as unknown as ItsFunction<string>) as string[];
  const tags = all.out(its.pos) as string[];
  const stops = all.out(its.stopWordFlag) as unknown as boolean[];
  const spans = doc.sentences().out(its.span) as unknown as Array<[number, number]>;
  const sentenceTexts = doc.sentences().out() as string[];

  const sentences: Sentence[] = [];
  const contentLemmas = new Set<string>();
  spans.forEach(([first, last], index) => {
    const tokens: Token[] = [];
    for (let i = first; i <= last; i++) {
      // wink gives no lemma for some tokens ("didnt" before a full stop): the word as written stands in.
      const t: Token = {
        text: texts[i]!,
        lower: normals[i]!,
        lemma: (lemmas[i] ?? normals[i]!).toLowerCase(),
        pos: tags[i]!,
        stop: stops[i]!,
      };
      tokens.push(t);
      if (CONTENT_POS.has(t.pos) && !t.stop && !LIGHT_WORDS.has(t.lemma) && /[a-z0-9]/.test(t.lemma)) contentLemmas.add(t.lemma);
    }
    const plain = plainWords(tokens);
    const sentenceText = sentenceTexts[index]!;
    sentences.push({
      text: sentenceText,
      tokens,
      lemmas: tokens.map((t) => t.lemma).join(' '),
      plain,
      isQuestion: tokens.at(-1)?.text === '?' || (QUESTION_OPENERS.test(plain) && !/[.!]$/.test(sentenceText.trim())),
      lemmaSet: new Set(tokens.map((t) => t.lemma)),
      times: MAY_NAME_A_TIME.test(plain) ? [...plain.matchAll(TIME_PATTERN)].map((m) => m[0]) : [],
    });
  });

  return { text, sentences, contentLemmas };
}

/** A customer's message as the learner-turn reader needs it: what it says and is about. */
export interface CustomerMessage {
  /** Lower case, for spotting what the customer asked for. */
  lower: string;
  words: Set<string>;
}

export function readCustomerMessage(text: string): CustomerMessage {
  return { lower: plainLower(text), words: contentWords(text) };
}

/** Lower case with curly apostrophes made straight: how phrase rules are matched against any text. */
export function plainLower(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
}

/** The words of a message, lemmatised, without stop words: enough to tell what it is about. */
export function contentWords(text: string): Set<string> {
  const tokens = nlpWords.readDoc(text.length > MAX_ANALYSED_CHARS ? text.slice(0, MAX_ANALYSED_CHARS) : text).tokens();
  const lemmas = tokens.out(nlpWords.its.lemma as unknown as ItsFunction<string>) as string[];
  const stops = tokens.out(nlpWords.its.stopWordFlag) as unknown as boolean[];
  const words = new Set<string>();
  lemmas.forEach((lemma, i) => {
    // No lemma for some tokens ("didnt" before a full stop): nothing to add.
    if (typeof lemma !== 'string') return;
    const word = lemma.toLowerCase();
    if (!stops[i] && !LIGHT_WORDS.has(word) && /^[a-z0-9][a-z0-9'-]*$/.test(word) && word.length > 1) words.add(word);
  });
  return words;
}

/** A cheap first test: only a sentence with one of these can hold a time, so most skip TIME_PATTERN. */
const MAY_NAME_A_TIME = phrases(
  [
    /\d/,
    /day\b/,
    /\b(?:mon|tues?|weds?|thurs?|thu|fri|sat|sun)\b/,
    'tonight',
    'tomorrow',
    'morning',
    'afternoon',
    'evening',
    'hour',
    'week',
    'end of',
    'now',
    'immediately',
    'away',
  ],
  // Loose on purpose ("away" in "takeaway"): it may pass a sentence with no time, never miss one with a time.
  { begin: 'anywhere' },
);

/**
 * Times a customer could hold us to: "by 5pm", "on Friday", "within 3 working days", "tomorrow
 * morning", "the 14th". Matched on the plain text of a sentence.
 */
const TIME_PATTERN = phrases(
  [
    /\b(?:within|in|by) (?:the next )?(?:\d+|a|an|one|two|three|four|five|six|seven|ten|twenty|24|48|72)(?:[-–]\d+)? (?:working |business )?(?:minutes?|hours?|days?|weeks?)\b/,
    /\b\d+(?:[-–]\d+)? (?:working |business )(?:days?|weeks?)\b/,
    /\b(?:by|at|before|after|from|between|until|till) \d{1,2}(?:[:.]\d{2})? ?(?:am|pm|o'?clock)?\b(?: (?:and|to|-) \d{1,2}(?:[:.]\d{2})? ?(?:am|pm)?)?/,
    /\b\d{1,2}(?:[:.]\d{2})? ?(?:am|pm)\b/,
    /\b(?:by |on |this |next |before |until )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?:morning|afternoon|evening))?\b/,
    // Days as chat shortens them, after a word that makes them days: "by next Fri", "on Weds".
    /\b(?:by|on|this|next|before|until|till)(?: next)? (?:mon|tues?|weds?|thurs?|thu|fri|sat|sun)\b/,
    /\b(?:today|tonight|tomorrow(?: (?:morning|afternoon|evening))?|this (?:morning|afternoon|evening|week)|next week|by (?:the )?end of (?:the )?(?:day|today|tomorrow|week|month))\b/,
    /\b(?:on |by )?the \d{1,2}(?:st|nd|rd|th)\b/,
    /\bwithin the hour\b/,
    // Done on the spot is as specific as a promise gets.
    /\b(?:right now|now|immediately|right away|straight away|while you wait|on this call)\b/,
  ],
  // Each time says where it begins; 'g' because every time in the sentence is collected.
  { begin: 'anywhere', flags: 'g' },
);

const EXPANSIONS: Record<string, string> = {
  "n't": 'not',
  "'ll": 'will',
  "'re": 'are',
  "'m": 'am',
  "'ve": 'have',
  "'d": 'would',
  ca: 'can',
  wo: 'will',
  sha: 'shall',
};
/**
 * Contractions typed without the apostrophe, as chat is ("Im not allowed", "I cant", "thats
 * fine"). Only forms that are no other English word: "ill", "well", "were", "its", "shell" are left alone.
 */
const APOSTROPHE_LESS: Record<string, string> = {
  im: 'i am',
  ive: 'i have',
  cant: 'can not',
  wont: 'will not',
  dont: 'do not',
  didnt: 'did not',
  doesnt: 'does not',
  isnt: 'is not',
  arent: 'are not',
  wasnt: 'was not',
  werent: 'were not',
  couldnt: 'could not',
  wouldnt: 'would not',
  shouldnt: 'should not',
  havent: 'have not',
  hasnt: 'has not',
  thats: 'that is',
  whats: 'what is',
  theres: 'there is',
  youre: 'you are',
  youve: 'you have',
  youll: 'you will',
  theyre: 'they are',
  theyve: 'they have',
  theyll: 'they will',
  weve: 'we have',
  itll: 'it will',
};
/** The halves wink-nlp makes of some of them ("dont" → "do" "nt", "Ive" → "I" "ve"), after a word they can follow. */
const BARE_HALVES: Record<string, { after: RegExp; is: string }> = {
  nt: { after: /^(?:do|does|did|is|are|was|were|could|would|should|have|has|can|will|shall)$/, is: 'not' },
  ve: { after: /^(?:i|you|we|they)$/, is: 'have' },
  ll: { after: /^(?:i|you|we|they|it|he|she|that)$/, is: 'will' },
  re: { after: /^(?:you|we|they)$/, is: 'are' },
};
/** wink-nlp keeps "I'm" and "we're" as one token; these are split here. */
const JOINED_CONTRACTION = /^(i|you|we|they|he|she|it|that|there|who|what)'(m|re|ve|ll|d|s)$/;
/** "Westway'll", "the manager'd": any word can carry these; "'s" only after a pronoun (else possessive). */
const JOINED_AUXILIARY = /^([a-z]+)'(re|ve|ll|d)$/;
/** "The trial's on the house": after a noun, "'s" is "is" when a predicate follows, not a possessive. */
const IS_BEFORE = phrases(
  [
    'on',
    'off',
    'free',
    'not',
    'going',
    'been',
    'done',
    'booked',
    'fine',
    'ok',
    'okay',
    'all',
    'sorted',
    'yours',
    'covered',
    'here',
    'there',
    'ready',
    'in',
    'out',
    'due',
    'still',
    'already',
    'just',
    'definitely',
    /\d/,
  ],
  // Tested on the one word after the "'s", which must start with one of these.
  { begin: 'text' },
);
const IS_AFTER = new Set([
  'it',
  'that',
  'there',
  'what',
  'he',
  'she',
  'here',
  'who',
  'where',
  'this',
  'everything',
  'nothing',
  'how',
  'let',
]);

/**
 * Lower-case words with contractions expanded, so patterns need only one spelling of each. Built
 * from the words as written: wink-nlp's normal form turns "organisation" into "organization".
 */
function plainWords(tokens: Token[]): string {
  const out: string[] = [];
  const lower = (t: Token | undefined) => t?.text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
  tokens.forEach((token, i) => {
    const word = lower(token)!;
    const next = lower(tokens[i + 1]);
    const joined = word.match(JOINED_CONTRACTION) ?? word.match(JOINED_AUXILIARY);
    if (joined) {
      out.push(joined[1]!, joined[2] === 's' ? 'is' : EXPANSIONS[`'${joined[2]}`]!);
      return;
    }
    // Own keys only: "constructor" is a word, not a contraction.
    const half = Object.hasOwn(BARE_HALVES, word) ? BARE_HALVES[word] : undefined;
    if (Object.hasOwn(APOSTROPHE_LESS, word)) out.push(APOSTROPHE_LESS[word]!);
    else if (half && half.after.test(out.at(-1) ?? '')) out.push(half.is);
    else if ((word === 'ca' || word === 'wo' || word === 'sha') && (next === "n't" || next === 'nt')) out.push(EXPANSIONS[word]!);
    else if (word === "'s")
      out.push(out.at(-1) === 'let' ? 'us' : IS_AFTER.has(out.at(-1) ?? '') || IS_BEFORE.test(next ?? '') ? 'is' : "'s");
    else if ((word in EXPANSIONS && word.startsWith("'")) || word === "n't") out.push(EXPANSIONS[word]!);
    else out.push(word);
  });
  return out
    .join(' ')
    .replace(/ ([,.!?;:])/g, '$1')
    .replace(/£ (\d)/g, '£$1');
}
