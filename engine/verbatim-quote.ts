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

/** Three characters or fewer prove nothing: "ok" occurs everywhere. */
const MIN_QUOTE_CHARS = 4;

export function occursIn(quote: string, text: string): boolean {
  const wanted = core(quote);
  return wanted.length >= MIN_QUOTE_CHARS && normalise(text).includes(wanted);
}
