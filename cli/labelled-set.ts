/**
 * The hand-labelled transcripts in `test/labelled/` (or another folder in the same format, such as
 * tutors' overrides exported from reviews): written and levelled by a tutor, independently of the
 * scorer, and the yardstick its agreement is measured against. Here in cli/ because `servicesim
 * eval` reads them as well as the benchmarks and the tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TurnSchema } from '../engine/transcript.ts';
import { UsageError } from './usage-error.ts';

export const LABELLED_DIR = path.join(import.meta.dirname, '..', 'test', 'labelled');

const LabelledSchema = z.object({
  scenario: z.string(),
  description: z.string(),
  turns: z.array(TurnSchema).min(1),
  labels: z.object({
    dimensions: z.record(z.string(), z.number().int().min(0).max(3).nullable()),
    breaches: z.array(z.object({ turn: z.number().int().min(1), action: z.string(), why: z.string().optional() })),
    rationale: z.record(z.string(), z.string()).optional(),
  }),
});

export type LabelledTranscript = z.infer<typeof LabelledSchema> & { file: string };

export function readLabelledSet(dir = LABELLED_DIR): LabelledTranscript[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file) => {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    const parsed = LabelledSchema.safeParse(data);
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`);
    return { ...parsed.data, file };
  });
}

/**
 * The labelled transcripts in a folder someone named (`--labelled <folder>`): a folder that is not
 * there, holds none, or has a file that does not read is one line saying which, not a stack trace.
 */
export function readLabelledFolder(dir: string): LabelledTranscript[] {
  let labelled: LabelledTranscript[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    labelled = readLabelledSet(dir);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message;
    throw new UsageError(`--labelled ${dir}: ${why}`);
  }
  if (labelled.length === 0) throw new UsageError(`--labelled ${dir}: no labelled transcripts (.json files) in it`);
  return labelled;
}
