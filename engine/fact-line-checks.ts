/**
 * A warning for a hidden fact whose wordings do not all carry the same details.
 *
 * @remarks
 * The scripted customer tells a fact once, in one of its `says:` wordings picked at random, and
 * repeats that same wording when asked again. A detail only some wordings carry (the old number
 * ending 4471, the date she emailed, the neighbour at number 23) is then lost to every learner who
 * happens to hear another wording, however well they question: part of the cause becomes
 * unreachable by luck. So each wording is compared with the others: a number, a name or a
 * distinctive word that another wording of the same fact has, and this one lacks, is reported.
 *
 * To keep false warnings rare, a detail counts only when the fact itself (`fact:`, what is true)
 * states it too: wordings differ in their asides ("it took me about a minute", "in front of
 * everyone"), and those are the customer's voice, not the fact. Numbers are compared as values,
 * so "eleven hundred and forty", "eleven forty" and "€1,140" agree; words are compared as lemmas,
 * so "texted" and "text" agree; a name is a capitalised word, so "Ashby Close" needs "Close".
 */
import { CARDINAL_WORDS, ORDINAL_WORDS, TENS_WORDS as TENS } from './number-words.ts';
import type { Problem } from './problem.ts';
import type { Scenario } from './scenario-schema.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

/** "One", "first", "second" and "third" said alone are rarely a detail ("one of them", "the second time"). */
const ALONE_NOT_A_NUMBER = new Set(['one', 'first', 'second', 'third']);
/** Number words worth from `low` to below `high`; ordinals as their cardinal ("fourteenth" is the 14th). */
const wordsWorth = (low: number, high: number): Readonly<Record<string, number>> =>
  Object.fromEntries(
    [...Object.entries(CARDINAL_WORDS), ...Object.entries(ORDINAL_WORDS)].filter(
      ([word, n]) => n >= low && n < high && !ALONE_NOT_A_NUMBER.has(word),
    ),
  );
const UNIT_WORDS = wordsWorth(0, 10);
/** Said alone they are rarely a date ("the second time"); after a tens word they are ("twenty-first"). */
const AFTER_TENS_WORDS: Readonly<Record<string, number>> = { first: 1, second: 2, third: 3 };
const TEEN_WORDS = wordsWorth(10, 20);
const TENS_WORDS: Readonly<Record<string, number>> = {
  ...TENS,
  ...Object.fromEntries(Object.entries(ORDINAL_WORDS).filter(([, n]) => n >= 20)),
};

/**
 * Words said in place of a number: "a hundred", "a fortnight", "half six" are not worth
 * splitting hairs over, so only the plain ones are read.
 */
const SCALE_WORDS: Readonly<Record<string, number>> = { hundred: 100, thousand: 1000 };

/** Words before a capitalised word that do not start a sentence but still capitalise ("I", "OK"). */
const NOT_NAMES: ReadonlySet<string> = new Set(['I', 'OK', 'TV']);

/**
 * The numbers a text states, as values: digits ("£1,140", "6pm", "3rd", "10.30" as 10 and 30) and
 * number words ("thirty-five", "eleven hundred and forty", "twenty-first"). A pair said the way a
 * time or a price is ("eleven forty", "eighteen seventy-five") is read both ways: 1140, and 11 and 40.
 */
function numbersIn(text: string): Set<number> {
  const found = new Set<number>();
  const tokens = text
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // A run of number words is one number: "two hundred and eighty-three".
  let total = 0;
  let current = 0;
  let inRun = false;
  let lastKind: 'unit' | 'teen' | 'tens' | 'scale' | undefined;
  let previousRun: number | undefined;
  const endRun = () => {
    if (!inRun) return;
    const value = total + current;
    found.add(value);
    // "eleven forty": two runs said as one price or time.
    if (previousRun !== undefined && previousRun >= 10 && previousRun < 100 && value >= 10 && value < 100)
      found.add(previousRun * 100 + value);
    previousRun = value;
    total = 0;
    current = 0;
    inRun = false;
    lastKind = undefined;
  };
  tokens.forEach((token, i) => {
    for (const digits of token.match(/\d+/g) ?? []) {
      endRun();
      previousRun = undefined;
      found.add(Number(digits));
    }
    if (/\d/.test(token)) return;
    const next = tokens[i + 1];
    if (token in AFTER_TENS_WORDS && inRun && lastKind === 'tens' && current % 10 === 0) {
      current += AFTER_TENS_WORDS[token]!;
      lastKind = 'unit';
    } else if (token in UNIT_WORDS) {
      // A unit after a unit, a teen or a full tens starts a new number: "six seven".
      if (inRun && (lastKind === 'unit' || lastKind === 'teen' || (lastKind === 'tens' && current % 10 !== 0))) endRun();
      current += UNIT_WORDS[token]!;
      inRun = true;
      lastKind = 'unit';
    } else if (token in TEEN_WORDS) {
      if (inRun && lastKind !== 'scale') endRun();
      current += TEEN_WORDS[token]!;
      inRun = true;
      lastKind = 'teen';
    } else if (token in TENS_WORDS) {
      if (inRun && lastKind !== 'scale') endRun();
      current += TENS_WORDS[token]!;
      inRun = true;
      lastKind = 'tens';
    } else if (token in SCALE_WORDS && (inRun || token === 'hundred' || token === 'thousand')) {
      const scale = SCALE_WORDS[token]!;
      if (scale === 1000) {
        total += (current || 1) * 1000;
        current = 0;
      } else current = (current || 1) * scale;
      inRun = true;
      lastKind = 'scale';
    } else if (token === 'and' && inRun && lastKind === 'scale' && next !== undefined && isNumberWord(next)) {
      // "a hundred and twenty": the run goes on.
    } else if (token === 'a' && next !== undefined && next in SCALE_WORDS) {
      endRun();
    } else {
      endRun();
      previousRun = undefined;
    }
  });
  endRun();
  return found;
}

function isNumberWord(token: string): boolean {
  return token in UNIT_WORDS || token in TEEN_WORDS || token in TENS_WORDS || token in SCALE_WORDS;
}

/**
 * The names a text uses: capitalised words that do not open a sentence ("Gemma", "Leeds",
 * "Monday", "KHE"), as written.
 */
function namesIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![.!?]["'‘’“”]?\s+|^["'‘’“”]?)\b([A-Z][A-Za-z]*(?:[-'’][A-Za-z]+)*)/g)) {
    const word = match[1]!.replace(/['’]s$/, '');
    if (!NOT_NAMES.has(word) && !/^I['’]/.test(match[1]!)) names.add(word);
  }
  return names;
}

/** Whether a text has this name anywhere, a sentence's first word included. */
function hasName(text: string, name: string): boolean {
  return new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(text);
}

/** What one wording says of its fact: the fact's numbers and names it carries. */
interface Details {
  numbers: Set<number>;
  names: Set<string>;
}

function detailsOf(line: string, fact: { numbers: Set<number>; text: string }): Details {
  const numbers = new Set([...numbersIn(line)].filter((n) => fact.numbers.has(n)));
  const names = new Set([...namesIn(line), ...namesIn(fact.text)].filter((name) => hasName(line, name) && hasName(fact.text, name)));
  return { numbers, names };
}

/**
 * Warnings for facts whose `says:` wordings drop a detail (a number, a name, a distinctive word of
 * the fact) that another wording of the same fact carries: whoever hears that wording can never
 * learn it. One warning per wording, naming everything it lacks.
 */
export function factLineWarnings(scenario: Partial<Scenario>, source: YamlSource): Problem[] {
  const warnings: Problem[] = [];
  scenario.facts?.forEach((fact, f) => {
    // A fact outside the cause may share its colour out between wordings; a part of the cause may not.
    if (!fact.cause || fact.says.length < 2) return;
    const stated = { numbers: numbersIn(fact.fact), text: fact.fact };
    const wordings = fact.says.map((line) => detailsOf(line, stated));
    fact.says.forEach((line, i) => {
      const others = wordings.filter((_, j) => j !== i);
      const missing = [
        ...union(others.map((o) => o.numbers))
          .filter((n) => !wordings[i]!.numbers.has(n))
          .map(String),
        ...union(others.map((o) => o.names)).filter((name) => !wordings[i]!.names.has(name)),
      ];
      if (missing.length === 0) return;
      const them = missing.length === 1 ? 'it' : 'them';
      warnings.push(
        problemAt(
          source,
          ['facts', f, 'says', i],
          `fact "${fact.id}": the wording "${line}" leaves out ${missing.join(', ')}, which another wording of it says: a learner who hears this one can never learn ${them}`,
          `say ${them} in this wording too, in the customer's own words, or take ${them} out of the other wordings and the fact`,
        ),
      );
    });
  });
  return warnings;
}

function union<T>(sets: ReadonlyArray<ReadonlySet<T>>): T[] {
  return [...new Set(sets.flatMap((s) => [...s]))];
}
