/**
 * A YAML file parsed with its source positions kept, so any path into the data can be traced back
 * to the line and column an author wrote it at.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Problem } from './problem.ts';
import { formatPath } from './problem.ts';

/** Larger files are refused before parsing: no scenario is anywhere near this size. */
export const MAX_RUBRIC_FILE_BYTES = 512 * 1024;

export interface YamlSource {
  file: string;
  /** The plain data, or undefined when the file could not be parsed. */
  data: unknown;
  /** Syntax problems; when there are any, `data` is undefined. */
  problems: Problem[];
  /** Where a path points in the file; falls back to the nearest enclosing node that exists. */
  locate(path: readonly PropertyKey[], at?: 'key' | 'value'): { line: number; column: number };
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (Buffer.byteLength(text, 'utf8') > MAX_RUBRIC_FILE_BYTES) {
    return {
      file,
      data: undefined,
      problems: [
        {
          file,
          line: 1,
          column: 1,
          path: '',
          message: `the file is larger than ${MAX_RUBRIC_FILE_BYTES / 1024} KB`,
          fix: 'split it: one scenario per file, and keep long texts short',
        },
      ],
      locate: () => ({ line: 1, column: 1 }),
    };
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((error) => {
    // The parser notices an unclosed [ or { only on a later line; point at where it was opened.
    const opened = /^Flow (sequence|mapping)/.test(error.message) ? unclosedBracketBefore(text, error.pos[0]) : undefined;
    const { line, column } = position(opened ?? error.pos[0]);
    return {
      file,
      line,
      column,
      path: '',
      message:
        opened === undefined
          ? `YAML syntax error: ${firstLine(error.message)}`
          : `YAML syntax error: this "${text[opened]}" is never closed`,
      fix:
        opened === undefined
          ? yamlFix(error.code)
          : `close it with "${text[opened] === '[' ? ']' : '}'}" on the same line, or write the list one "- item" per line`,
    };
  });

  function locate(path: readonly PropertyKey[], at: 'key' | 'value' = 'value') {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && keyOf(item.key) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node | null;
        const valueNode = pair.value as Node | null;
        offset = (last && at === 'key' ? keyNode?.range?.[0] : valueNode?.range?.[0]) ?? keyNode?.range?.[0] ?? offset;
        // A missing or null value has no range of its own: point at its key instead.
        if (!valueNode?.range) offset = keyNode?.range?.[0] ?? offset;
        node = valueNode;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item?.range) break;
        offset = item.range[0];
        node = item;
      } else {
        break;
      }
    }
    return position(offset);
  }

  let data: unknown;
  if (problems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // An unresolved alias, or one that expands without end, is found only when converting.
      problems.push({
        file,
        line: 1,
        column: 1,
        path: '',
        message: `YAML error: ${firstLine((error as Error).message)}`,
        fix: 'define each anchor (&name) before its aliases (*name), and do not nest aliases deeply',
      });
    }
  }
  return { file, data, problems, locate };
}

/** Builds a located problem for a path in a parsed file. */
export function problemAt(
  source: YamlSource,
  path: readonly PropertyKey[],
  message: string,
  fix: string,
  at: 'key' | 'value' = 'value',
): Problem {
  const { line, column } = source.locate(path, at);
  return { file: source.file, line, column, path: formatPath(path), message, fix };
}

/** The offset of the last [ or { before `offset` that has no matching closer, outside quotes. */
function unclosedBracketBefore(text: string, offset: number): number | undefined {
  const open: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || (ch === "'" && /[\s:[{,]/.test(text[i - 1] ?? ' '))) {
      quote = ch;
    } else if (ch === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '[' || ch === '{') {
      open.push(i);
    } else if (ch === ']' || ch === '}') {
      open.pop();
    } else if (ch === '\n') {
      quote = undefined;
    }
  }
  return open.at(-1);
}

function keyOf(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a mapping: remove or rename the second one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: items of a list start with "- " and keys line up under their parent';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a value that contains ": " must be quoted, e.g. says: "Hello: it broke"';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'fix the YAML syntax here; quote text that contains ":" or starts with a special character';
  }
}
