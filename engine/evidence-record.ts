/**
 * One rehearsal kept as formative evidence: who rehearsed which scenario, the transcript with the
 * customer's mood, the scores (per turn and per session, breaches, commitments), what produced
 * them, and the learner's own reflection. A tutor reviews these; a learner sees only their own.
 *
 * @remarks
 * Evidence goes into a qualification portfolio and must stay readable for years. Every record
 * carries `schemaVersion`; records of an older version are migrated when read (`readEvidenceRecord`),
 * never rewritten behind anyone's back. Each records the customer's and scorer's identity and a
 * content hash of the scenario and rubric files, so a score can be explained or reproduced later.
 */
import { z } from 'zod';
import { ComponentIdentitySchema, type ComponentIdentity } from './component-identity.ts';
import type { EndReason } from './customer.ts';
import { transcriptOf, type Exchange } from './rehearsal.ts';
import { ScoreReportSchema, type ScoreReport } from './score-report.ts';
import { modelUseOf, ModelUseSchema, type ModelAccounting } from './model-use.ts';
import { FREE } from './model-cost.ts';
import { Sha256Schema, TurnSchema } from './transcript.ts';

export const EVIDENCE_SCHEMA_VERSION = 2;

const LearnerSchema = z.object({
  /** Stable across channels' sessions: in Teams the tenant and Azure AD object id, locally the page's user id. */
  id: z.string().min(1),
  name: z.string().optional(),
  tenantId: z.string().optional(),
});

/** A transcript turn as kept in evidence: a customer turn also records the customer's mood after it. */
const RecordedTurnSchema = TurnSchema.extend({ mood: z.number().int().min(0).max(4).optional() });

/** A SHA-256 of the exact bytes of the files a rehearsal was played and scored with. */
const SourceHashesSchema = z.object({
  scenario: z.string().regex(/^[0-9a-f]{64}$/),
  rubric: z.string().regex(/^[0-9a-f]{64}$/),
});

export const EvidenceRecordSchema = z.object({
  schemaVersion: z.literal(EVIDENCE_SCHEMA_VERSION),
  id: z.string().min(1),
  learner: LearnerSchema,
  /** The problem type is absent on records from before it was kept. */
  scenario: z.object({ id: z.string(), title: z.string(), problemType: z.string().optional() }),
  mode: z.enum(['practice', 'assessment']),
  startedAt: z.string(),
  /** An ISO instant: stores order and filter records by it. */
  endedAt: z.iso.datetime({ offset: true }),
  endReason: z.string(),
  turns: z.array(RecordedTurnSchema),
  report: ScoreReportSchema,
  customer: ComponentIdentitySchema,
  scorer: ComponentIdentitySchema,
  /** Absent only on records migrated from before hashes were kept. */
  sources: SourceHashesSchema.optional(),
  /**
   * The scenario's content hash (`scenarioHashOf`), as a saved transcript records it: unlike
   * `sources.scenario` it ignores comments and layout. Absent on records from before it was kept.
   */
  scenarioHash: Sha256Schema.optional(),
  /** Learner turns lost from storage before the rehearsal was scored; the transcript holds a placeholder for each. */
  missingTurns: z.array(z.number().int().min(1)).optional(),
  /** The schema version this record was first written in, when it was migrated on read. */
  migratedFrom: z.number().int().min(1).optional(),
  reflection: z.string().optional(),
  /** What the models did, when a model played the customer or judged: per-turn calls and fallbacks, tokens, cost. */
  modelUse: ModelUseSchema.optional(),
});

export type Learner = z.infer<typeof LearnerSchema>;
type RecordedTurn = z.infer<typeof RecordedTurnSchema>;
type SourceHashes = z.infer<typeof SourceHashesSchema>;
export type EvidenceRecord = z.infer<typeof EvidenceRecordSchema>;

/**
 * Version 1, as written before versioning (2026-11): the report untyped, no identities or hashes.
 * Its own copy on purpose, not built from the current schema: a later change to the current record
 * must never change how an old one reads.
 */
const EvidenceRecordV1Schema = z.object({
  id: z.string().min(1),
  learner: LearnerSchema,
  scenario: z.object({ id: z.string(), title: z.string() }),
  mode: z.enum(['practice', 'assessment']),
  startedAt: z.string(),
  endedAt: z.string(),
  endReason: z.string(),
  turns: z.array(TurnSchema),
  report: z.record(z.string(), z.unknown()),
  reflection: z.string().optional(),
});

/** Version 1 records could only have been played by the scripted customer and scored by the rules. */
const BEFORE_VERSIONING = 'before-2026.11.29';

/** Who played the customer in anything recorded before identities were kept: only the scripted one existed. */
export const UNRECORDED_CUSTOMER: ComponentIdentity = { kind: 'scripted', id: 'scripted-customer', version: BEFORE_VERSIONING };

export type EvidenceReading = { record: EvidenceRecord } | { problem: string };

/** A stored record, migrated to the current version; or what is wrong with it. */
export function readEvidenceRecord(data: unknown): EvidenceReading {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version === EVIDENCE_SCHEMA_VERSION) {
    const parsed = EvidenceRecordSchema.safeParse(data);
    return parsed.success ? { record: parsed.data } : { problem: describe(parsed.error) };
  }
  if (version !== undefined)
    return {
      problem: `schema version ${JSON.stringify(version)} is not one this ServiceSim reads (it reads 1 to ${EVIDENCE_SCHEMA_VERSION})`,
    };
  const v1 = EvidenceRecordV1Schema.safeParse(data);
  if (!v1.success) return { problem: `not an evidence record: ${describe(v1.error)}` };
  const report = ScoreReportSchema.safeParse(v1.data.report);
  if (!report.success) return { problem: `its score report does not read: ${describe(report.error)}` };
  // Checked as a current record: a migration that gave a record no store would accept would lose it later, silently.
  const migrated = EvidenceRecordSchema.safeParse({
    ...v1.data,
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    report: report.data,
    customer: UNRECORDED_CUSTOMER,
    scorer: { kind: 'rules', id: 'rules-scorer', version: BEFORE_VERSIONING },
    migratedFrom: 1,
  });
  return migrated.success
    ? { record: migrated.data }
    : { problem: `migrated from version 1, it is still not a record: ${describe(migrated.error)}` };
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'unreadable';
}

export interface EvidenceParts {
  id: string;
  learner: Learner;
  scenario: { id: string; title: string; problemType?: string };
  mode: EvidenceRecord['mode'];
  startedAt: string;
  endedAt: string;
  endReason: EndReason;
  opening: string;
  exchanges: readonly Exchange[];
  /** Transcript turns the rehearsal had; those whose exchange was lost from storage are kept as placeholders. */
  turnCount?: number;
  /** Learner turns whose exchange could not be read back from storage. */
  missingTurns?: number[];
  report: ScoreReport;
  customer: ComponentIdentity;
  scorer: ComponentIdentity;
  sources?: SourceHashes;
  scenarioHash?: string;
  /** When a model played a part: the prompts' versions and the prices, for `modelUse`. */
  models?: ModelAccounting;
}

/** The evidence record of a finished rehearsal, with the customer's mood on each of its turns. */
export function assembleEvidence(parts: EvidenceParts): EvidenceRecord {
  const moods = new Map(parts.exchanges.map((e) => [e.turn + 1, e.mood]));
  const turns: RecordedTurn[] = transcriptOf(parts.opening, parts.exchanges, parts.turnCount).map((turn, i) => {
    const mood = moods.get(i + 1);
    return mood === undefined ? turn : { ...turn, mood };
  });
  return EvidenceRecordSchema.parse({
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    id: parts.id,
    learner: parts.learner,
    scenario: parts.scenario,
    mode: parts.mode,
    startedAt: parts.startedAt,
    endedAt: parts.endedAt,
    endReason: parts.endReason,
    turns,
    report: parts.report,
    customer: parts.customer,
    scorer: parts.scorer,
    ...(parts.sources ? { sources: parts.sources } : {}),
    ...(parts.scenarioHash ? { scenarioHash: parts.scenarioHash } : {}),
    ...(parts.missingTurns?.length ? { missingTurns: parts.missingTurns } : {}),
    ...(parts.models || parts.report.judgement || parts.exchanges.some((e) => e.model)
      ? { modelUse: modelUseOf(parts.exchanges, parts.report, parts.models ?? { prompts: {}, prices: FREE }) }
      : {}),
  });
}
