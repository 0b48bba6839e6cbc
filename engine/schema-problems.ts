/**
 * Turns zod's issues into problems an author can act on: where, what is wrong, and how to fix it.
 *
 * @remarks
 * zod says what it expected; an author also needs to know what to write instead, and for a typo
 * which key or value was meant. The schema itself is walked to list the keys and values allowed.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import type { Problem } from './problem.ts';
import { problemAt, type YamlSource } from './yaml-source.ts';

type AnySchema = z.ZodType;

/** Validates a parsed file against a schema, returning the data or every problem, located. */
export function checkAgainstSchema<S extends AnySchema>(source: YamlSource, schema: S): { value?: z.infer<S>; problems: Problem[] } {
  // A file that could not be parsed has its syntax problems already; its shape cannot be judged.
  if (source.problems.length > 0) return { problems: [] };
  if (source.data === null || source.data === undefined) {
    return { problems: [problemAt(source, [], 'the file is empty', 'start from a copy of an existing file of the same kind')] };
  }
  const result = schema.safeParse(source.data, { reportInput: true });
  if (result.success) return { value: result.data, problems: [] };
  return { problems: result.error.issues.flatMap((issue) => toProblems(source, schema, issue)) };
}

function toProblems(source: YamlSource, root: AnySchema, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path;
  const at = (message: string, fix: string, where = path, pointAt: 'key' | 'value' = 'value') =>
    problemAt(source, where, message, fix, pointAt);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeys(schemaAt(root, path));
      return issue.keys.map((key) => {
        const guess = allowed.length > 0 ? suggest(key, allowed) : undefined;
        const fix = guess
          ? `did you mean "${guess}"? Keys allowed here: ${allowed.join(', ')}`
          : `remove it; keys allowed here: ${allowed.join(', ')}`;
        return at(`unknown key "${key}"`, fix, [...path, key], 'key');
      });
    }
    case 'invalid_type': {
      const key = String(path[path.length - 1] ?? 'the file');
      if (issue.input === undefined) {
        const parent = path.slice(0, -1);
        return [at(`"${key}" is missing`, `add "${key}:" here (${describeExpected(issue.expected)})`, parent, 'key')];
      }
      return [at(`expected ${describeExpected(issue.expected)}, found ${describeInput(issue.input)}`, howToWrite(issue.expected))];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof issue.input === 'string' ? suggest(issue.input, values) : undefined;
      const found = describeInput(issue.input);
      return [at(`${found} is not an allowed value`, `${guess ? `did you mean "${guess}"? ` : ''}use one of: ${values.join(', ')}`)];
    }
    case 'too_small':
      return [at(issue.message.startsWith('Too small') ? tooSmall(issue) : issue.message, fixForSize(issue))];
    case 'too_big':
      return [
        at(
          issue.message.startsWith('Too big') ? `must be at most ${String(issue.maximum)}` : issue.message,
          issue.origin === 'array' ? `keep at most ${String(issue.maximum)} items` : `use ${String(issue.maximum)} or less`,
        ),
      ];
    case 'invalid_format':
      return [at(`${describeInput(issue.input)} ${issue.message}`, 'rewrite it in the form described')];
    default:
      return [at(issue.message, 'correct the value here')];
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item(s)`;
  if (issue.origin === 'string') return 'must not be empty';
  return `must be at least ${String(issue.minimum)}`;
}

function fixForSize(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.origin === 'array') return 'add items to this list, one "- item" per line';
  if (issue.origin === 'string') return 'write some text here';
  return `use ${String(issue.minimum)} or more`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys';
    default:
      return expected;
  }
}

function howToWrite(expected: string): string {
  switch (expected) {
    case 'number':
      return 'write a plain number such as 30 (amounts are in pounds, without the £ sign)';
    case 'string':
      return 'write it as text; quote it if it looks like a number or true/false';
    case 'boolean':
      return 'write true or false, without quotes';
    case 'array':
      return 'write a list, one "- item" per line';
    case 'object':
      return 'write the keys indented underneath';
    default:
      return `write ${expected}`;
  }
}

function describeInput(input: unknown): string {
  if (input === null) return 'an empty value';
  if (typeof input === 'string') return `"${input.length > 40 ? `${input.slice(0, 40)}…` : input}"`;
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return String(input);
}

function suggest(word: string, candidates: string[]): string | undefined {
  const guess = closest(word, candidates);
  return distance(word.toLowerCase(), guess.toLowerCase()) <= Math.max(2, Math.floor(word.length / 3)) ? guess : undefined;
}

/** Walks a schema along a data path, through lists, optionals and defaults. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let current: AnySchema | undefined = unwrap(schema);
  for (const part of path) {
    if (!current) return undefined;
    const def = current._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
    if (def.type === 'object' && typeof part === 'string') current = unwrap(def.shape?.[part]);
    else if (def.type === 'array') current = unwrap(def.element);
    else return undefined;
  }
  return current;
}

function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as unknown as { type: string; innerType?: AnySchema } | undefined;
    if (!def || !def.innerType) return current;
    current = def.innerType;
  }
}

function objectKeys(schema: AnySchema | undefined): string[] {
  const def = schema?._zod.def as unknown as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}
