/**
 * Whether a quote occurs word for word in a learner's turn. A model copies text with small
 * differences of typography (curly quotes, a doubled space, a trailing full stop), which are no
 * reason to drop evidence; anything more is, so the comparison forgives those and nothing else.
 */

function normalise(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/\u2039/g, '<')
    .replace(/\u203A/g, '>')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The quote without surrounding quotation marks, ellipses or end punctuation. */
function core(quote: string): string {
  return normalise(quote)
    .replace(/^["'.\s]+/, '')
    .replace(/["'.,!?;:\s]+$/, '');
}

/**
 * A quote must be long enough to mean something: three words, or twelve characters. "what" occurs
 * in every other turn and proves nothing.
 */
const MIN_QUOTE_WORDS = 3;
const MIN_QUOTE_CHARS = 12;

export function occursIn(quote: string, text: string): boolean {
  const wanted = core(quote);
  if (wanted.split(' ').length < MIN_QUOTE_WORDS && wanted.length < MIN_QUOTE_CHARS) return false;
  const haystack = normalise(text);
  // On word boundaries: "refund you £60" is not in "refund you £600".
  for (let at = haystack.indexOf(wanted); at !== -1; at = haystack.indexOf(wanted, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + wanted.length];
    if (!isWordCharacter(before) && !isWordCharacter(after)) return true;
  }
  return false;
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}]/u.test(character);
}
