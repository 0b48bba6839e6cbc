/**
 * Turns zod's issues into problems an author can act on: where, what is wrong, and how to fix it.
 *
 * @remarks
 * zod says what it expected; an author also needs to know what to write instead, and for a typo
 * which key or value was meant. The schema itself is walked to list the keys and values allowed,
 * and a number's range; `NUMBER_FIELDS` says what a number means where its range alone does not
 * (a mood is 0 calm to 4 furious, an amount is pounds), so every hint fits its field.
 */
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
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

/**
 * The top-level parts of a file that fit their own schemas, each checked on its own: what the
 * cross-reference checks can trust in a file whose shape is partly wrong, so that they run in the
 * same pass as the shape checks instead of only once the whole file is right. A part that does not
 * fit is left out of `parts` and named in `unfit` (its problems are the shape checks' to report);
 * defaults are filled in as usual.
 */
export function partsThatFit<S extends z.ZodObject>(data: unknown, schema: S): { parts: Partial<z.infer<S>>; unfit: Set<string> } {
  const parts: Record<string, unknown> = {};
  const unfit = new Set<string>();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { parts: {}, unfit };
  for (const [key, part] of Object.entries(schema.shape as Record<string, AnySchema>)) {
    const parsed = part.safeParse((data as Record<string, unknown>)[key]);
    if (!parsed.success) unfit.add(key);
    else if (parsed.data !== undefined) parts[key] = parsed.data;
  }
  return { parts: parts as Partial<z.infer<S>>, unfit };
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
      const number = numberField(root, path);
      if (issue.input === undefined) {
        const parent = path.slice(0, -1);
        const expected = number ? number.what : describeExpected(issue.expected);
        return [at(`"${key}" is missing`, `add "${key}:" here (${expected})`, parent, 'key')];
      }
      // "a whole number" only where a number was written: "high" is simply not a number.
      const expected = number
        ? number.whole && typeof issue.input === 'number'
          ? 'a whole number'
          : 'a number'
        : describeExpected(issue.expected);
      const fix = number ? `${scaleGuess(number, issue.input)}${number.how}` : howToWrite(issue.expected);
      return [at(`expected ${expected}, found ${describeInput(issue.input)}`, fix)];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      // A missing key with a closed list of values is reported by zod as a value not in the list.
      if (issue.input === undefined) {
        const key = String(path[path.length - 1] ?? 'the file');
        return [at(`"${key}" is missing`, `add "${key}:" here (one of: ${values.join(', ')})`, path.slice(0, -1), 'key')];
      }
      const guess = typeof issue.input === 'string' ? suggest(issue.input, values) : undefined;
      const found = describeInput(issue.input);
      return [at(`${found} is not an allowed value`, `${guess ? `did you mean "${guess}"? ` : ''}use one of: ${values.join(', ')}`)];
    }
    case 'too_small': {
      const number = issue.origin === 'number' ? numberField(root, path) : undefined;
      return [at(issue.message.startsWith('Too small') ? tooSmall(issue) : issue.message, number?.how ?? fixForSize(issue))];
    }
    case 'too_big': {
      const number = issue.origin === 'number' ? numberField(root, path) : undefined;
      const fix = issue.origin === 'array' ? `keep at most ${String(issue.maximum)} items` : `use ${String(issue.maximum)} or less`;
      return [at(issue.message.startsWith('Too big') ? `must be at most ${String(issue.maximum)}` : issue.message, number?.how ?? fix)];
    }
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
      return 'write a plain number such as 3, without quotes';
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

/**
 * What a number means, by the name of its field, where its range alone does not say: an author
 * who wrote "high" for a mood needs the scale, not a word about pounds. A number not listed here
 * is described by its range, read from the schema.
 */
const NUMBER_FIELDS: Record<string, { pounds: true } | { means: string; scale?: readonly string[] }> = {
  amount: { pounds: true },
  upTo: { pounds: true },
  above: { pounds: true },
  mood: { means: "the customer's mood", scale: ['calm', 'uneasy', 'annoyed', 'angry', 'furious'] },
  persistence: { means: 'how many times the customer pushes back before accepting a workable option' },
  previousComplaints: { means: 'how many times the customer complained about this before' },
  moodChange: { means: 'the steps the mood moves on hearing this news: +1 one step angrier, -1 one step calmer' },
  level: { means: 'the level, 0 the lowest' },
};

interface NumberField {
  /** For "add … here (…)": what the value is. */
  what: string;
  /** How to write it. */
  how: string;
  whole: boolean;
  /** The names of the values, the first for `scaleFrom`. */
  scale?: { names: readonly string[]; from: number };
}

/** What the number at `path` is and how to write it, from `NUMBER_FIELDS` and the schema's own range. */
function numberField(root: AnySchema, path: readonly PropertyKey[]): NumberField | undefined {
  const schema = schemaAt(root, path);
  if (!(schema instanceof z.ZodNumber)) return undefined;
  const key = String(path[path.length - 1] ?? '');
  const known = Object.hasOwn(NUMBER_FIELDS, key) ? NUMBER_FIELDS[key] : undefined;
  const whole = schema.isInt === true;
  if (known && 'pounds' in known) {
    return {
      what: 'an amount in pounds, such as 30',
      how: 'write the amount in pounds as a plain number such as 30 or 12.50, without the £ sign',
      whole,
    };
  }
  const min = schema.minValue;
  const max = schema.maxValue;
  const kind = whole ? 'a whole number' : 'a number';
  const range =
    min !== null && Number.isFinite(min) && max !== null && Number.isFinite(max)
      ? `${kind} from ${String(min)} to ${String(max)}`
      : min !== null && Number.isFinite(min)
        ? `${kind}, ${String(min)} or more`
        : max !== null && Number.isFinite(max)
          ? `${kind}, ${String(max)} or less`
          : kind;
  const from = min !== null && Number.isFinite(min) ? min : 0;
  const meaning = known?.scale ? known.scale.map((name, i) => `${String(from + i)} ${name}`).join(', ') : known?.means;
  return {
    what: meaning ? `${range}: ${meaning}` : range,
    how: `write ${range}${meaning ? ` (${meaning})` : ''}, without quotes`,
    whole,
    ...(known?.scale ? { scale: { names: known.scale, from } } : {}),
  };
}

/** A word from the field's scale written instead of its number ("angry" for a mood): the number meant. */
function scaleGuess(field: NumberField, input: unknown): string {
  if (!field.scale || typeof input !== 'string') return '';
  const index = field.scale.names.indexOf(input.trim().toLowerCase());
  return index < 0 ? '' : `did you mean ${String(field.scale.from + index)} (${field.scale.names[index]!})? `;
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
