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

/**
 * A web address, kept as it is: written as an autolink (`<https://…>`), so a renderer that links
 * addresses (Web Chat does) links the address as typed, never one with a reference inside it.
 */
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'’]/g;

export function markdownLiteral(text: string): string {
  // Line by line: leading spaces dropped (four would make a code block), then what would start a
  // heading, a quote or a list written as a reference.
  return text
    .split('\n')
    .map((line) =>
      literalLine(line.replace(/^[ \t]+/, ''))
        .replace(/^[#+-]/, (c) => `&#${c.charCodeAt(0)};`)
        .replace(/^(\d+)([.)])/, (_, number: string, c: string) => `${number}&#${c.charCodeAt(0)};`),
    )
    .join('\n');
}

function literalLine(line: string): string {
  let out = '';
  let at = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    out += escapeInline(line.slice(at, match.index)) + `<${match[0]}>`;
    at = match.index + match[0].length;
  }
  return out + escapeInline(line.slice(at));
}

const escapeInline = (text: string) => text.replace(/[&<>*_`[\]~|\\]/g, (c) => INLINE[c]!);
