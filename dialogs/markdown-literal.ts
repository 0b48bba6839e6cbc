/**
 * Text someone typed (a tutor's feedback, a learner's words quoted back), made safe to put in a
 * message or card that the channel renders as Markdown: shown as it was written, never as a
 * heading, emphasis, a link or HTML. Teams and Web Chat both render character references, so the
 * characters Markdown would act on are written as references rather than escaped with backslashes,
 * which Teams does not honour everywhere.
 */

/** The characters Markdown (and the HTML it allows) acts on anywhere in a line. */
const INLINE: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '*': '&#42;',
  _: '&#95;',
  '`': '&#96;',
  '[': '&#91;',
  ']': '&#93;',
  '~': '&#126;',
  '|': '&#124;',
  '\\': '&#92;',
};

export function markdownLiteral(text: string): string {
  return (
    text
      .replace(/[&<>*_`[\]~|\\]/g, (c) => INLINE[c]!)
      // What starts a heading, a quote or a list only at the start of a line.
      .replace(/^(\s*)([#+-])/gm, (_, space: string, c: string) => `${space}&#${c.charCodeAt(0)};`)
      .replace(/^(\s*\d+)([.)])/gm, (_, number: string, c: string) => `${number}&#${c.charCodeAt(0)};`)
  );
}
