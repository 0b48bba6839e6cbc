/**
 * The hand-labelled transcripts in `test/labelled/`: written and levelled by a tutor, independently
 * of the scorer, and the yardstick its agreement is measured against.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TurnSchema } from '../engine/transcript.ts';

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
    const parsed = LabelledSchema.safeParse(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]?.message} at ${parsed.error.issues[0]?.path.join('.')}`);
    return { ...parsed.data, file };
  });
}
