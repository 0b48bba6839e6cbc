/**
 * One rehearsal kept as formative evidence: who rehearsed which scenario, the transcript, the
 * scores (per turn and per session, breaches, commitments) and the learner's own reflection. A
 * tutor reviews these; a learner sees only their own.
 */
import { z } from 'zod';
import { TurnSchema } from './transcript.ts';

export const LearnerSchema = z.object({
  /** Stable across channels' sessions: in Teams the tenant and Azure AD object id, locally the page's user id. */
  id: z.string().min(1),
  name: z.string().optional(),
  tenantId: z.string().optional(),
});

export const EvidenceRecordSchema = z.object({
  id: z.string().min(1),
  learner: LearnerSchema,
  scenario: z.object({ id: z.string(), title: z.string() }),
  mode: z.enum(['practice', 'assessment']),
  startedAt: z.string(),
  endedAt: z.string(),
  endReason: z.string(),
  turns: z.array(TurnSchema),
  /** The scorer's report, as `servicesim score --json` prints it. */
  report: z.record(z.string(), z.unknown()),
  reflection: z.string().optional(),
});

export type Learner = z.infer<typeof LearnerSchema>;
export type EvidenceRecord = z.infer<typeof EvidenceRecordSchema>;
