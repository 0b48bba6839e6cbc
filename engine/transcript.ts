/**
 * A rehearsal transcript: the customer's and learner's turns in order. The same shape is saved by
 * `servicesim chat`, read by `servicesim score`, and stored as evidence. It starts with the customer,
 * or, in a scenario the learner opens (`openedBy: learner`), with the learner.
 */
import { z } from 'zod';

/** A turn longer than this is refused: no reply typed in a rehearsal comes near it. */
export const MAX_TURN_CHARS = 8000;
export const MAX_TURNS = 400;

export const TurnSchema = z.strictObject({
  role: z.enum(['customer', 'learner']),
  text: z.string().trim().min(1, 'a turn needs some text').max(MAX_TURN_CHARS, `a turn may be at most ${MAX_TURN_CHARS} characters`),
});

/** A SHA-256, as 64 lower-case hex digits. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash: 64 hex digits');

export const TranscriptSchema = z.object({
  /** The scenario id, or a path to its file; a command-line flag may stand in for it. */
  scenario: z.string().min(1).optional(),
  /**
   * The content hash of the scenario it was played with (`scenarioHashOf`): scoring it against a
   * changed scenario of the same id is refused. Absent in transcripts saved before it was kept.
   */
  scenarioHash: Sha256Schema.optional(),
  turns: z.array(TurnSchema).min(1, 'the transcript has no turns').max(MAX_TURNS, `a transcript may have at most ${MAX_TURNS} turns`),
});

export type Turn = z.infer<typeof TurnSchema>;
