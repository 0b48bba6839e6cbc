/**
 * The xAPI 1.0.3 statement rules (xAPI-Data.md, part two, section 2: "Statements") as a zod schema,
 * and `statementProblems`, which says what breaks them, each problem named by its path.
 *
 * @remarks
 * Checked before a statement is queued for a learning record store (LRS), so a statement an LRS
 * would refuse is found as the bug it is, here, with its path, rather than as a 400 from an LRS
 * days later. The rules follow the spec's tables: every object is strict (the spec says an LRS
 * should refuse unknown properties), identifiers have their named formats (UUID, IRI, IRL, RFC 5646
 * language tag, ISO 8601 timestamp and duration), and the rules that span properties (exactly one
 * inverse functional identifier, raw within min and max, platform and revision only about an
 * Activity) are each a named check. Formats are assembled from named parts, so each can be read
 * against the RFC it comes from. Attachments' headers are checked; their content is not ours to send.
 */
import { z } from 'zod';

// ---- Formats -----------------------------------------------------------------------------------

/** RFC 3987: a scheme, a colon, then no whitespace and none of the characters an IRI excludes. */
const IRI_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/u;

/** An IRI: absolute (with a scheme), as every identifier in a statement must be. */
const Iri = z.string().regex(IRI_FORM, 'must be an absolute IRI, with a scheme, such as https://example.com/xapi/thing');

/** An IRL: an IRI that can be fetched, so it must also parse as a URL. */
const Irl = z
  .string()
  .refine((value) => IRI_FORM.test(value) && URL.canParse(value), 'must be an IRL, an absolute URL such as https://example.com');

/** RFC 4122 standard string form (zod also knows the version and variant digits). */
const Uuid = z.uuid('must be a UUID in standard form, such as 4d3c2b1a-0f9e-4d8c-9b7a-6e5f4d3c2b1a');

/**
 * RFC 5646 language tags, by their parts (section 2.1), matched without regard to case. The spec
 * asks an LRS to check at least "the sequence of token lengths"; this checks the grammar.
 */
const LANGUAGE_TAG_PARTS = {
  /** 2–3 letters with up to three 3-letter extended subtags, or a reserved 4-letter or registered 5–8-letter one. */
  language: '[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8}',
  script: '[a-z]{4}',
  region: '[a-z]{2}|[0-9]{3}',
  variant: '[a-z0-9]{5,8}|[0-9][a-z0-9]{3}',
  /** A singleton other than x, then subtags of 2–8. */
  extension: '[0-9a-wyz](?:-[a-z0-9]{2,8})+',
  privateUse: 'x(?:-[a-z0-9]{1,8})+',
};

/** Tags registered before RFC 4646 that do not fit the grammar (RFC 5646 section 2.2.8, "irregular"). */
const IRREGULAR_LANGUAGE_TAGS = [
  'en-gb-oed',
  'i-ami',
  'i-bnn',
  'i-default',
  'i-enochian',
  'i-hak',
  'i-klingon',
  'i-lux',
  'i-mingo',
  'i-navajo',
  'i-pwn',
  'i-tao',
  'i-tay',
  'i-tsu',
  'sgn-be-fr',
  'sgn-be-nl',
  'sgn-ch-de',
];

const LANGUAGE_TAG_FORM = (() => {
  const p = LANGUAGE_TAG_PARTS;
  const langtag = `(?:${p.language})(?:-(?:${p.script}))?(?:-(?:${p.region}))?(?:-(?:${p.variant}))*(?:-(?:${p.extension}))*(?:-(?:${p.privateUse}))?`;
  return new RegExp(`^(?:${langtag}|${p.privateUse})$`, 'i');
})();

const isLanguageTag = (tag: string) => LANGUAGE_TAG_FORM.test(tag) || IRREGULAR_LANGUAGE_TAGS.includes(tag.toLowerCase());

const LanguageTag = z.string().refine(isLanguageTag, 'must be an RFC 5646 language tag, such as en-GB');

/** Text in one or more languages, keyed by language tag. */
const LanguageMap = z.record(LanguageTag, z.string());

/** ISO 8601:2004 4.4.3.2 durations: PnW, or PnYnMnDTnHnMnS with at least one part (a fraction allowed). */
const DURATION_FORM = (() => {
  const n = String.raw`\d+(?:[.,]\d+)?`;
  const date = `(?:${n}Y)?(?:${n}M)?(?:${n}D)?`;
  const time = `(?:T(?=\\d)(?:${n}H)?(?:${n}M)?(?:${n}S)?)?`;
  return new RegExp(`^P(?:${n}W|(?=[\\dT])${date}${time})$`);
})();

const Duration = z.string().regex(DURATION_FORM, 'must be an ISO 8601 duration, such as PT4M30S');

/** The spec asks for ISO 8601; RFC 3339 (with a time zone, to the second or finer) is the profile it recommends. */
const Timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone, such as 2026-11-23T10:00:00Z' });

/** Any JSON under IRI keys: the spec says an LRS must not judge the values. */
const Extensions = z.record(Iri, z.unknown());

// ---- Actors -------------------------------------------------------------------------------------

/** The four ways of naming an Agent or Group for good (xAPI-Data 2.4.2.3). */
const INVERSE_FUNCTIONAL_IDENTIFIERS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

const identifiers = {
  mbox: z
    .string()
    .regex(/^mailto:[^@\s]+@[^@\s]+$/, 'must be a mailto IRI, such as mailto:sam@example.com')
    .optional(),
  mbox_sha1sum: z
    .string()
    .regex(/^[0-9a-f]{40}$/i, 'must be the SHA-1 of a mailto IRI, 40 hexadecimal digits')
    .optional(),
  openid: Iri.optional(),
  account: z.strictObject({ homePage: Irl, name: z.string().min(1, 'must not be empty') }).optional(),
};

function identifiersOf(actor: Record<string, unknown>): string[] {
  return INVERSE_FUNCTIONAL_IDENTIFIERS.filter((key) => actor[key] !== undefined);
}

const AgentFields = z.strictObject({ objectType: z.literal('Agent').optional(), name: z.string().optional(), ...identifiers });

/** An Agent is named by exactly one identifier: two would let an LRS file one person's statements under another. */
const Agent = AgentFields.superRefine((agent, ctx) => {
  const found = identifiersOf(agent);
  if (found.length !== 1)
    ctx.addIssue({
      code: 'custom',
      message:
        found.length === 0
          ? `an Agent needs one identifier (${INVERSE_FUNCTIONAL_IDENTIFIERS.join(', ')})`
          : `an Agent must have exactly one identifier, not ${found.join(' and ')}`,
    });
});

/** When an Agent is a statement's object it must say so (xAPI-Data 2.4.4.2). */
const AgentAsObject = AgentFields.extend({ objectType: z.literal('Agent', 'must be "Agent" when the object is an Agent') }).superRefine(
  (agent, ctx) => {
    if (identifiersOf(agent).length !== 1) ctx.addIssue({ code: 'custom', message: 'an Agent must have exactly one identifier' });
  },
);

/** An identified Group has one identifier; an anonymous one has none, but must list its members. */
const Group = z
  .strictObject({ objectType: z.literal('Group'), name: z.string().optional(), member: z.array(Agent).optional(), ...identifiers })
  .superRefine((group, ctx) => {
    const found = identifiersOf(group);
    if (found.length > 1) ctx.addIssue({ code: 'custom', message: `a Group must have at most one identifier, not ${found.join(' and ')}` });
    if (found.length === 0 && group.member === undefined)
      ctx.addIssue({ code: 'custom', message: 'an anonymous Group (one with no identifier) must list its members', path: ['member'] });
  });

const Actor = z.discriminatedUnion('objectType', [Agent, Group]);

// ---- Verb and objects ---------------------------------------------------------------------------

const Verb = z.strictObject({ id: Iri, display: LanguageMap.optional() });

const InteractionComponent = z.strictObject({ id: z.string().min(1), description: LanguageMap.optional() });

const INTERACTION_TYPES = [
  'true-false',
  'choice',
  'fill-in',
  'long-fill-in',
  'matching',
  'performance',
  'sequencing',
  'likert',
  'numeric',
  'other',
] as const;

const ActivityDefinition = z.strictObject({
  name: LanguageMap.optional(),
  description: LanguageMap.optional(),
  type: Iri.optional(),
  moreInfo: Irl.optional(),
  extensions: Extensions.optional(),
  // Interaction activities (xAPI-Data 2.4.4.1, "Interaction Activities").
  interactionType: z.enum(INTERACTION_TYPES).optional(),
  correctResponsesPattern: z.array(z.string()).optional(),
  choices: z.array(InteractionComponent).optional(),
  scale: z.array(InteractionComponent).optional(),
  source: z.array(InteractionComponent).optional(),
  target: z.array(InteractionComponent).optional(),
  steps: z.array(InteractionComponent).optional(),
});

const Activity = z.strictObject({ objectType: z.literal('Activity').optional(), id: Iri, definition: ActivityDefinition.optional() });

const StatementRef = z.strictObject({ objectType: z.literal('StatementRef'), id: Uuid });

// ---- Result and context -------------------------------------------------------------------------

/** A score is consistent: scaled within -1..1, min below max, raw between them. */
const Score = z
  .strictObject({
    scaled: z.number().min(-1, 'must be between -1 and 1').max(1, 'must be between -1 and 1').optional(),
    raw: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .superRefine((score, ctx) => {
    if (score.min !== undefined && score.max !== undefined && !(score.min < score.max))
      ctx.addIssue({ code: 'custom', message: `min (${score.min}) must be less than max (${score.max})`, path: ['min'] });
    if (score.raw !== undefined && score.min !== undefined && score.raw < score.min)
      ctx.addIssue({ code: 'custom', message: `raw (${score.raw}) must not be below min (${score.min})`, path: ['raw'] });
    if (score.raw !== undefined && score.max !== undefined && score.raw > score.max)
      ctx.addIssue({ code: 'custom', message: `raw (${score.raw}) must not be above max (${score.max})`, path: ['raw'] });
  });

const Result = z.strictObject({
  score: Score.optional(),
  success: z.boolean().optional(),
  completion: z.boolean().optional(),
  response: z.string().optional(),
  duration: Duration.optional(),
  extensions: Extensions.optional(),
});

/** The spec lets each be one Activity or a list (for 0.95 statements); a list is what should be sent. */
const ContextActivityList = z.union([z.array(Activity), Activity]);

const Context = z.strictObject({
  registration: Uuid.optional(),
  instructor: Actor.optional(),
  team: Group.optional(),
  contextActivities: z
    .strictObject({
      parent: ContextActivityList.optional(),
      grouping: ContextActivityList.optional(),
      category: ContextActivityList.optional(),
      other: ContextActivityList.optional(),
    })
    .optional(),
  revision: z.string().optional(),
  platform: z.string().optional(),
  language: LanguageTag.optional(),
  statement: StatementRef.optional(),
  extensions: Extensions.optional(),
});

const Attachment = z.strictObject({
  usageType: Iri,
  display: LanguageMap,
  description: LanguageMap.optional(),
  contentType: z.string().min(1),
  length: z.number().int().min(0),
  sha2: z.string().regex(/^[0-9a-f]{56,128}$/i, 'must be a hexadecimal SHA-2 hash'),
  fileUrl: Irl.optional(),
});

// ---- Statements ---------------------------------------------------------------------------------

/** The properties a statement and a SubStatement share. */
const sharedProperties = {
  actor: Actor,
  verb: Verb,
  result: Result.optional(),
  context: Context.optional(),
  timestamp: Timestamp.optional(),
  attachments: z.array(Attachment).optional(),
};

/** "revision" and "platform" describe an Activity, so they are only allowed when the object is one (xAPI-Data 2.4.6). */
function onlyAboutAnActivity(
  statement: { object: { objectType?: string }; context?: { revision?: string; platform?: string } },
  ctx: z.RefinementCtx,
) {
  const objectType = statement.object.objectType ?? 'Activity';
  if (objectType === 'Activity') return;
  for (const key of ['revision', 'platform'] as const)
    if (statement.context?.[key] !== undefined)
      ctx.addIssue({
        code: 'custom',
        message: `only allowed when the object is an Activity, not ${/^[AEIOU]/.test(objectType) ? 'an' : 'a'} ${objectType}`,
        path: ['context', key],
      });
}

/** A statement inside a statement: no id, stored, version or authority of its own, and no SubStatement inside it. */
const SubStatement = z
  .strictObject({
    objectType: z.literal('SubStatement'),
    ...sharedProperties,
    object: z.discriminatedUnion('objectType', [Activity, AgentAsObject, Group, StatementRef]),
  })
  .superRefine(onlyAboutAnActivity);

/** A statement as a Learning Record Provider sends it (or an LRS returns it, with stored and authority). */
const XapiStatementSchema = z
  .strictObject({
    id: Uuid.optional(),
    ...sharedProperties,
    object: z.discriminatedUnion('objectType', [Activity, AgentAsObject, Group, StatementRef, SubStatement]),
    stored: Timestamp.optional(),
    authority: Actor.optional(),
    /** The spec asks providers not to set it; when set, an LRS accepts only 1.0.x. */
    version: z
      .string()
      .regex(/^1\.0\.\d+$/, 'must be a 1.0.x version, such as 1.0.0')
      .optional(),
  })
  .superRefine(onlyAboutAnActivity);

export type XapiStatement = z.infer<typeof XapiStatementSchema>;

/** What breaks the xAPI 1.0.3 statement rules, one line per problem, each starting with its path; empty when the statement is valid. */
export function statementProblems(statement: unknown): string[] {
  // The input is asked for only to tell a missing value from a wrong one; problems never quote it.
  const parsed = XapiStatementSchema.safeParse(statement, { reportInput: true });
  return parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, issue.path));
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): string[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${pathText([...path, key])}: not an xAPI property here`);
    case 'invalid_key':
      // A record's key (an extension's or a language map's): the key's own issue says what it must be.
      return issue.issues.map((inner) => `${pathText(path)}: the key ${inner.message}`);
    case 'invalid_union': {
      // A discriminated union's issue also carries the values allowed (zod's type does not declare them).
      const { options } = issue as { options?: unknown[] };
      const allowed = options?.filter((o) => typeof o === 'string').map((o) => `"${o}"`);
      return [`${pathText(path)}: ${allowed?.length ? `must be one of ${allowed.join(', ')}` : issue.message}`];
    }
    case 'invalid_type':
      return [
        `${pathText(path)}: ${issue.input === undefined ? 'is required' : `must be ${issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`}`,
      ];
    default:
      return [`${pathText(path)}: ${issue.message}`];
  }
}

/** `object.definition.name["en GB"]`, `context.contextActivities.grouping[0].id`: as a reader would write it in JavaScript. */
function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'statement';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const key = String(part);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}
