/**
 * A rehearsal and its tutor reviews as xAPI 1.0.3 statements, for a learning record store (LRS):
 * the learner attempted the scenario, completed it with these scores, and a tutor reviewed it.
 *
 * @remarks
 * Every id is a name-based UUID (version 5) of the record or review id and the verb, so building
 * the statements again gives the same ids, and an LRS that is sent a rehearsal twice keeps it once.
 * The learner and tutors are named by their ServiceSim account (`account.homePage` is the site),
 * never by an email address: an LRS needs a stable name, not a way to reach them. Scores are
 * scaled to 0..1 (level / 3); each dimension's score is a result extension keyed by an IRI under the
 * site, and the dimensions also appear as context Activities, so an LRS can show their names.
 * Built from the record alone (pure): queueing and sending is `store/xapi-outbox.ts`.
 */
import { createHash } from 'node:crypto';
import type { EvidenceRecord } from './evidence-record.ts';
import { levelsAfterReview, type TutorReview } from './tutor-review.ts';
import type { XapiStatement } from './xapi-statement-rules.ts';

export interface XapiOptions {
  /** The ServiceSim site's base URL (PUBLIC_URL, or http://localhost:3978): the home of accounts, scenarios and extension IRIs. */
  homePage: string;
  /** Names of the rubric dimensions by id, shown by an LRS for the dimension Activities. */
  dimensionNames?: Record<string, string>;
  /** The cohorts the learner is in, each a grouping Activity of the statements. */
  cohorts?: ReadonlyArray<{ id: string; name: string }>;
}

/** Statements sent together, queued under one id; `recordId` lets them be found and discarded when a learner's data is erased. */
export interface XapiBatch {
  id: string;
  recordId: string;
  statements: XapiStatement[];
}

const VERBS = {
  attempted: { id: 'http://adlnet.gov/expapi/verbs/attempted', display: { 'en-GB': 'attempted' } },
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-GB': 'completed' } },
  /** ADL's verb for a session that did not end normally: a rehearsal left unfinished, kept as it stood. */
  abandoned: { id: 'https://w3id.org/xapi/adl/verbs/abandoned', display: { 'en-GB': 'abandoned' } },
  reviewed: { id: 'http://id.tincanapi.com/verb/reviewed', display: { 'en-GB': 'reviewed' } },
};

const ACTIVITY_TYPES = {
  simulation: 'http://adlnet.gov/expapi/activities/simulation',
  /** A rubric dimension is what the rehearsal is judged against. */
  objective: 'http://adlnet.gov/expapi/activities/objective',
};

/** The highest level of every dimension (rubrics/dimensions.yaml): a level scales to level / 3. */
const MAX_LEVEL = 3;

/**
 * ServiceSim's own namespace for name-based UUIDs (RFC 4122 section 4.3). Fixed for good: a new one
 * would give every statement a new id, and an LRS would keep each rehearsal twice.
 */
const UUID_NAMESPACE = Buffer.from('ee005d91b9274d2bb1139a5df485809a', 'hex');

/** The statements for a rehearsal and its reviews, in order: attempted, completed, then one per review. */
export function xapiStatementsOf(record: EvidenceRecord, reviews: readonly TutorReview[], options: XapiOptions): XapiStatement[] {
  return xapiBatchesOf(record, reviews, options).flatMap((batch) => batch.statements);
}

/**
 * The same statements as batches for the outbox: the rehearsal's (`rehearsal/<record id>`: attempted
 * and completed) and one per review (`review/<review id>`), each to be queued when it happens.
 * A review's batch refers to the completed statement by id, so it need not carry it again.
 */
export function xapiBatchesOf(record: EvidenceRecord, reviews: readonly TutorReview[], options: XapiOptions): XapiBatch[] {
  const site = siteOf(options.homePage);
  for (const review of reviews)
    if (review.recordId !== record.id) throw new Error(`review "${review.id}" is of record "${review.recordId}", not "${record.id}"`);

  const scenario = {
    objectType: 'Activity' as const,
    id: site.iri('scenarios', record.scenario.id),
    definition: { name: { 'en-GB': record.scenario.title }, type: ACTIVITY_TYPES.simulation },
  };
  const cohorts = (options.cohorts ?? []).map((cohort) => ({
    objectType: 'Activity' as const,
    id: site.iri('cohorts', cohort.id),
    definition: { name: { 'en-GB': cohort.name } },
  }));
  const cohort = cohorts.length > 0;
  const grouping = { grouping: cohorts };
  const registration = nameBasedUuid(`registration/${record.id}`);
  const learner = {
    objectType: 'Agent' as const,
    account: { homePage: site.homePage, name: record.learner.id },
    ...(record.learner.name ? { name: record.learner.name } : {}),
  };
  const dimensionActivities = (levels: Record<string, number>) =>
    Object.keys(levels).map((id) => {
      const name = options.dimensionNames?.[id];
      return {
        objectType: 'Activity' as const,
        id: site.iri('xapi', 'dimensions', id),
        definition: { type: ACTIVITY_TYPES.objective, ...(name ? { name: { 'en-GB': name } } : {}) },
      };
    });
  const dimensionExtensions = (levels: Record<string, number>) =>
    Object.fromEntries(Object.entries(levels).map(([id, level]) => [site.iri('xapi', 'dimensions', id), level / MAX_LEVEL]));

  // A rehearsal left unfinished ends as abandoned, not completed; scored all the same (what was said counts).
  const ending = record.endReason === 'abandoned' ? VERBS.abandoned : VERBS.completed;
  const completedId = nameBasedUuid(`record/${record.id}/${ending.id}`);
  const scorerLevels = scoredLevels(Object.fromEntries(Object.entries(record.report.dimensions).map(([id, d]) => [id, d.level])));
  const rehearsalContext = {
    registration,
    platform: 'ServiceSim',
    language: 'en-GB',
  };
  const modeExtension = { [site.iri('xapi', 'extensions', 'mode')]: record.mode };

  const started = instantOf(record.startedAt);
  const ended = instantOf(record.endedAt);
  const statements: XapiStatement[] = [];
  if (started)
    statements.push({
      id: nameBasedUuid(`record/${record.id}/${VERBS.attempted.id}`),
      actor: learner,
      verb: VERBS.attempted,
      object: scenario,
      context: { ...rehearsalContext, ...(cohort ? { contextActivities: grouping } : {}), extensions: modeExtension },
      timestamp: started.toISOString(),
    });
  statements.push({
    id: completedId,
    actor: learner,
    verb: ending,
    object: scenario,
    result: {
      completion: ending === VERBS.completed,
      ...scoreOf(scorerLevels),
      ...(started && ended && ended >= started ? { duration: durationOf(ended.getTime() - started.getTime()) } : {}),
      extensions: {
        ...dimensionExtensions(scorerLevels),
        [site.iri('xapi', 'extensions', 'authority-breaches')]: record.report.breaches.length,
      },
    },
    context: {
      ...rehearsalContext,
      contextActivities: { ...grouping, other: dimensionActivities(scorerLevels) },
      extensions: { ...modeExtension, [site.iri('xapi', 'extensions', 'scorer')]: record.scorer },
    },
    // endedAt is an ISO instant (the record's schema says so); written as UTC, as every timestamp here.
    timestamp: new Date(record.endedAt).toISOString(),
  });

  const reviewBatches = reviews.map((review): XapiBatch => {
    const levels = scoredLevels(Object.fromEntries(Object.entries(levelsAfterReview(record, review)).map(([id, l]) => [id, l.level])));
    const tutor = {
      objectType: 'Agent' as const,
      account: { homePage: site.homePage, name: review.reviewer.id },
      ...(review.reviewer.name ? { name: review.reviewer.name } : {}),
    };
    return {
      id: `review/${review.id}`,
      recordId: record.id,
      statements: [
        {
          id: nameBasedUuid(`review/${review.id}/${VERBS.reviewed.id}`),
          actor: tutor,
          verb: VERBS.reviewed,
          object: { objectType: 'StatementRef', id: completedId },
          result: {
            success: review.verdict === 'meets-standard',
            response: review.feedback,
            ...scoreOf(levels),
            extensions: dimensionExtensions(levels),
          },
          // No platform: the spec allows it only when the object is an Activity.
          context: {
            registration,
            language: 'en-GB',
            contextActivities: { ...grouping, other: [scenario, ...dimensionActivities(levels)] },
            extensions: modeExtension,
          },
          timestamp: new Date(review.at).toISOString(),
        },
      ],
    };
  });

  return [{ id: `rehearsal/${record.id}`, recordId: record.id, statements }, ...reviewBatches];
}

/** The site's base URL without a trailing slash, and IRIs under it with each part escaped. */
function siteOf(homePage: string): { homePage: string; iri: (...parts: string[]) => string } {
  const url = URL.canParse(homePage) ? new URL(homePage) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash)
    throw new Error(`homePage "${homePage}" must be the site's http(s) base URL, such as https://servicesim.example.ac.uk`);
  const base = homePage.replace(/\/+$/, '');
  return { homePage: base, iri: (...parts) => [base, ...parts.map(encodeURIComponent)].join('/') };
}

/** Dimensions with a level; those the conversation gave no occasion for (null) are left out, not counted as 0. */
function scoredLevels(levels: Record<string, number | null>): Record<string, number> {
  return Object.fromEntries(Object.entries(levels).filter((entry): entry is [string, number] => entry[1] !== null));
}

/** The mean level scaled to 0..1, with raw as the sum of levels out of 3 per scored dimension, so the three agree exactly. */
function scoreOf(levels: Record<string, number>): { score?: { scaled: number; raw: number; min: number; max: number } } {
  const values = Object.values(levels);
  if (values.length === 0) return {};
  const raw = values.reduce((sum, level) => sum + level, 0);
  const max = values.length * MAX_LEVEL;
  return { score: { scaled: raw / max, raw, min: 0, max } };
}

function instantOf(text: string): Date | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** In seconds to the hundredth, the precision the spec asks for: PT600S, PT72.5S. */
function durationOf(ms: number): string {
  return `PT${Math.round(ms / 10) / 100}S`;
}

/** A version-5 (SHA-1, name-based) UUID of `name` in ServiceSim's namespace. */
function nameBasedUuid(name: string): string {
  const bytes = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
