/**
 * Phrase rules as reviewable data: a rule is written as the list of phrasings it accepts, one per
 * line, and built here into a single regular expression. Each rule is built once, when the module
 * that holds it loads, so a sentence is tested against a whole rule in one pass of one RegExp and
 * scoring stays at thousands of turns a second. Never call these inside a function that runs per turn.
 *
 * A phrase is either
 * - a string: plain words, matched exactly as written (regex characters in it are escaped), or
 * - a RegExp literal: a pattern fragment whose source is used as written, so `(?:…)`, `\w+`,
 *   lookarounds, `^` and `$` keep working. A fragment has no flags (flags belong to the whole rule)
 *   and no `|` outside brackets (each alternative goes on its own line, in a list).
 *
 * Every builder returns a RegExp, so a list or a sequence can itself be a fragment of another.
 */

export type Phrase = string | RegExp;

export interface PhraseOptions {
  /**
   * Where a match may begin: at the start of a word (the default), only at the start of the text, or
   * anywhere, leaving each phrase to say where it begins. A fragment here (e.g. an optional "ok, "
   * before the list) is put in front of every phrase.
   */
  begin?: 'word' | 'text' | 'anywhere' | RegExp;
  /**
   * Where a match must end: anywhere (the default, so "frustrat" also matches "frustrated"), or at the
   * end of a word (so "relax" does not match "relaxing").
   */
  end?: 'anywhere' | 'word';
  /** Flags of the built rule, e.g. 'g' for `matchAll` or `replace`. */
  flags?: string;
}

const BEGIN = { word: String.raw`\b`, text: '^', anywhere: '' } as const;
const END = { word: String.raw`\b`, anywhere: '' } as const;

/** One rule from its phrasings: a match of any one of them is a match of the rule. */
export function phrases(alternatives: readonly Phrase[], options: PhraseOptions = {}): RegExp {
  const begin = options.begin ?? 'word';
  const prefix = typeof begin === 'string' ? BEGIN[begin] : sourceOf(begin);
  return new RegExp(`${prefix}${anyOf(alternatives).source}${END[options.end ?? 'anywhere']}`, options.flags);
}

/** A group matching any one of the phrases, for use inside another rule: `(?:a|b|c)`. */
export function anyOf(alternatives: readonly Phrase[]): RegExp {
  if (alternatives.length === 0) throw new Error('A phrase list needs at least one phrase: an empty one matches every sentence.');
  return new RegExp(`(?:${alternatives.map(sourceOf).join('|')})`);
}

/** Parts that must follow one another, for a rule that is one long phrase with lists inside it. */
export function sequence(parts: readonly Phrase[], flags?: string): RegExp {
  return new RegExp(parts.map(sourceOf).join(''), flags);
}

function sourceOf(phrase: Phrase): string {
  if (typeof phrase === 'string') {
    if (phrase === '') throw new Error('An empty phrase matches every sentence.');
    return phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  if (phrase.flags !== '') throw new Error(`/${phrase.source}/${phrase.flags}: a fragment takes no flags; give them to the whole rule.`);
  if (hasTopLevelBar(phrase.source))
    throw new Error(`/${phrase.source}/: put each alternative on its own line of the list, not joined with "|".`);
  return phrase.source;
}

/** Whether a pattern's source has a `|` outside any group or character class. */
function hasTopLevelBar(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}
