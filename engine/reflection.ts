/**
 * The learner's reflection after the debrief, as the bot and the terminal both take it: what they
 * may type to skip it, and how much of it is kept.
 */

/** A reflection is a few sentences; longer text is kept, cut at this length. */
export const MAX_REFLECTION_CHARS = 4000;

/** Said instead of a reflection (or nothing at all): the reflection is skipped, not saved as these words. */
const SKIP_WORDS = ['skip', 'skip it', '/skip', 'no', 'no thanks', 'no thank you', 'not now', 'pass'];

/** The reflection to save, trimmed and cut to length; undefined when the learner skipped it. */
export function reflectionOf(answer: string | undefined): string | undefined {
  const reflection = (answer ?? '').trim().slice(0, MAX_REFLECTION_CHARS);
  const asWords = reflection.toLowerCase().replace(/[.!]+$/, '');
  return reflection === '' || SKIP_WORDS.includes(asWords) ? undefined : reflection;
}
