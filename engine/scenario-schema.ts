/**
 * The scenario file format: one YAML file per scenario under `rubrics/scenarios/`.
 *
 * @remarks
 * Everything the scripted customer and the scorer need is in the file, in words a tutor can write.
 * Objects are strict so that a misspelt key is an error rather than a silently ignored setting.
 * Cross-references between parts of a file (and to the rubric) are checked in `scenario-rules.ts`,
 * not here, so that every problem can be reported at once with its own location.
 *
 * Who speaks first is `openedBy`: the customer (the default: they bring the problem), or the learner,
 * for a problem the organisation spotted first (the learner rings or messages the customer). Then the
 * rehearsal starts with the briefing alone, and `customer.opening` is the customer's first answer to
 * the learner, with whatever else that first message draws from them.
 *
 * `moodEvents` say how the customer's mood moves on hearing a particular piece of news from the
 * learner ("the part is on back-order", "there is no charge"): what counts as the news is a list of
 * topics matched as fact topics are (`hears`), the change is in steps of the 0–4 mood (`moodChange`,
 * +1 one step angrier, -1 one step calmer, kept within 0–4), once or every time it is heard (`once`),
 * with an optional line the customer says on hearing it (`says`). Applied by the scripted customer
 * (`mood-events.ts`), checked by `mood-event-checks.ts`.
 */
import { z } from 'zod';

/** The five problem types that the F5 evidence requirements ask learners to show. */
export const PROBLEM_TYPES = [
  'reported-by-customer',
  'spotted-first',
  'expectation-gap',
  'system-failure',
  'resources-or-human-error',
] as const;

export const DIFFICULTIES = ['introductory', 'intermediate', 'advanced'] as const;

/** Traits the scripted customer knows how to play; a closed list so typos are caught. */
export const CUSTOMER_TRAITS = [
  'agitated',
  'confused',
  'anxious',
  'impatient',
  'assertive',
  'polite',
  'talkative',
  'terse',
  'sceptical',
  'vulnerable',
] as const;

/**
 * What a learner can offer or promise. A closed vocabulary lets the scorer recognise an offer in
 * any scenario, including ones it has never seen, and check it against that scenario's authority.
 */
export const ACTION_KINDS = [
  'refund',
  'partial-refund',
  'replacement',
  'repair',
  'exchange',
  'store-credit',
  'goodwill-payment',
  'discount',
  'fee-waiver',
  'redelivery',
  'reschedule',
  'upgrade',
  'price-match',
  'cancellation',
  'callback',
  'investigation',
  'guarantee',
  'share-personal-data',
] as const;

const text = z.string().trim().min(1, 'must not be empty');
const id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case words joined by hyphens, e.g. "late-delivery"');
const pounds = z.number().nonnegative('must be zero or more pounds').finite();
const lines = z.array(text).min(1, 'needs at least one line');

export const SettingSchema = z.strictObject({
  organisation: text,
  sector: text,
  channel: z.enum(['face-to-face', 'phone', 'chat', 'email']),
  learnerRole: text,
});

export const CustomerSchema = z.strictObject({
  name: text,
  /** 0 calm, 1 uneasy, 2 annoyed, 3 angry, 4 furious. */
  mood: z.number().int().min(0).max(4),
  traits: z.array(z.enum(CUSTOMER_TRAITS)).default([]),
  opening: text,
  /** What the customer hopes for, in their own terms; may exceed what can be offered. */
  wants: text,
  /** A concrete demand the customer presses for, which the learner may lack authority to grant. */
  asksFor: z
    .strictObject({
      action: z.enum(ACTION_KINDS),
      amount: pounds.optional(),
      says: text,
    })
    .optional(),
  /** How many times the customer pushes back before accepting a workable option (0–3). */
  persistence: z.number().int().min(0).max(3).default(0),
});

export const FactSchema = z.strictObject({
  id,
  /** What is true, for tutors and the scorer. */
  fact: text,
  /** Question topics that make the customer reveal this fact: short phrases of content words. */
  topics: z.array(text).min(1, 'a hidden fact needs at least one question topic that reveals it'),
  /** What the customer says when asked; several wordings so replies vary. */
  says: lines,
  /** True when this fact is needed to find the cause of the problem. */
  cause: z.boolean().default(false),
});

export const CauseSchema = z.strictObject({
  summary: text,
  /** Ids of the facts that, once uncovered, establish the cause. */
  revealedBy: z.array(id).min(1, 'name at least one fact id that reveals the cause'),
});

const ProsAndCons = z.strictObject({
  advantages: z.array(text).min(1, 'list at least one advantage'),
  disadvantages: z.array(text).min(1, 'list at least one disadvantage'),
});

export const OptionSchema = z.strictObject({
  id,
  action: z.enum(ACTION_KINDS),
  description: text,
  /** Cost or value to the organisation in pounds, when it has one. */
  amount: pounds.optional(),
  /** Whether the option balances the customer's and the organisation's needs. */
  workable: z.boolean(),
  /** How the scripted customer first reacts when this option is offered. */
  customerReaction: z.enum(['accept', 'pushback', 'reject']),
  /**
   * Everyday words that put this option on offer, beyond the general words for its action: "a
   * loan of a charging cable", "move you to Birch House". One option, many wordings: no need to
   * duplicate the option for each way of saying it.
   */
  wordings: z.array(text).min(1, 'list at least one wording, or leave "wordings" out').optional(),
  forCustomer: ProsAndCons,
  forOrganisation: ProsAndCons,
});

/**
 * A form of an action that has its own authority: a named variant ("a same-day collection", "a
 * priority slot"), told apart by the wordings that name it. An offer in one of these wordings is
 * judged against the entries for that form; any other offer of the action against the entries
 * with no form.
 */
const formOfAction = {
  form: text.optional(),
  /** The words that name the form; required with `form`. */
  wordings: z.array(text).min(1, 'list at least one wording that names the form').optional(),
  /**
   * A condition on the customer's situation: the entry applies only once the learner has uncovered
   * this hidden fact (a vulnerable household, a medical need). Before that, the entries without it apply.
   */
  onlyIf: z.strictObject({ factUncovered: id }).optional(),
};

export const AuthoritySchema = z.strictObject({
  /** What the learner may offer on their own, with an optional cap in pounds. */
  mayOffer: z
    .array(
      z.strictObject({
        action: z.enum(ACTION_KINDS),
        upTo: pounds.optional(),
        note: text.optional(),
        ...formOfAction,
      }),
    )
    .default([]),
  /** What the learner may offer only with someone's approval, and how to get it. */
  needsApproval: z
    .array(
      z.strictObject({
        action: z.enum(ACTION_KINDS),
        /** Approval is needed above this amount; omitted means always. */
        above: pounds.optional(),
        approver: text,
        how: text,
        ...formOfAction,
      }),
    )
    .default([]),
  /** Offers or promises the learner must never make. */
  never: z
    .array(
      z.strictObject({
        action: z.enum(ACTION_KINDS),
        what: text,
        ...formOfAction,
      }),
    )
    .default([]),
});

export const SourceOfHelpSchema = z.strictObject({
  id,
  name: text,
  kind: z.enum(['internal', 'external']),
  contact: text,
  when: text,
});

export const PolicySchema = z.strictObject({
  title: text,
  says: text,
});

export const RepeatedProblemSchema = z.strictObject({
  previousComplaints: z.number().int().min(1),
  /** Who must be alerted about the repeated problem, and how. */
  alert: text,
});

/**
 * What must have happened for a scripted line to fit. A line that answers or quotes something the
 * learner said ("Don't tell me to calm down", "I told you…") is said only when it happened, so the
 * customer never accuses the learner of words they did not use. `customer-lines.ts` says how each
 * is recognised.
 */
export const LINE_TRIGGERS = [
  /** The learner told the customer to calm down, relax or stop shouting. */
  'told-to-calm-down',
  /** The learner put the fault on the customer. */
  'blamed',
  /** "Not my problem", "nothing I can do", "these things happen". */
  'dismissed',
  /** Jargon or an unexplained short form. */
  'jargon',
  /** A promise with no time the customer could hold them to ("soon", "we'll get it sorted"). */
  'vague-promise',
  /** "Don't worry", "leave it with me". */
  'reassured',
  /** The learner said they cannot do something. */
  'refused',
  /** …and gave no reason. */
  'refused-without-reason',
  /** The learner put something on offer in this message. */
  'offered',
  /** The learner said they must ask someone, or that it is beyond their limit. */
  'approval-sought',
  /** The customer has already told the learner something (a hidden fact, or its demand). */
  'told-before',
  /** The customer's last message asked the learner something. */
  'customer-asked',
  /** The scenario is a repeated problem: the customer has been promised things before. */
  'repeat-problem',
] as const;

const LINE_KEYS = ['says', 'when', 'echoes'] as const;

const ScriptedLineObjectSchema = z.strictObject({
  says: text,
  /** Said only when this has happened in the learner's message (or, for some, before it). */
  when: z.enum(LINE_TRIGGERS).optional(),
  /** Said only when the learner's message has all of these words: for a line that quotes the learner ("'Usually'?"). */
  echoes: z.array(text).min(1, 'list at least one word, or leave "echoes" out').optional(),
});

/**
 * One scripted line: plain text, or `says:` with the `when:` trigger or `echoes:` words it needs. A
 * union would report a bad `when:` only as "invalid input", so each form is checked here and its own
 * problems reported where they are.
 */
const scriptedLine = z.unknown().transform((value, context) => {
  if (typeof value === 'string') {
    const line = text.safeParse(value);
    if (line.success) return line.data;
    for (const issue of line.error.issues) context.addIssue({ ...issue, input: value } as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    context.addIssue({
      code: 'custom',
      input: value,
      message: 'a line must be text, or "says:" with "when:" or "echoes:" — write the line as text',
    });
    return z.NEVER;
  }
  const line = ScriptedLineObjectSchema.safeParse(value, { reportInput: true });
  if (line.success) return line.data;
  for (const issue of line.error.issues) {
    // Reported here with the keys a line allows: the validator cannot list them through this transform.
    if (issue.code === 'unrecognized_keys')
      for (const key of issue.keys)
        context.addIssue({
          code: 'custom',
          input: value,
          path: [key],
          message: `unknown key "${key}" in a line — keys allowed here: ${LINE_KEYS.join(', ')}`,
        });
    else context.addIssue({ ...issue, input: (issue as { input?: unknown }).input } as z.core.$ZodRawIssue);
  }
  return z.NEVER;
});
const scriptedLines = z.array(scriptedLine).min(1, 'needs at least one line');

/**
 * Optional scenario-specific wordings; the scripted customer has general ones for each. A line that
 * presupposes what the learner said should declare it (`when:` or `echoes:`); a plain line that
 * plainly quotes the learner is read for what it needs (`customer-lines.ts`).
 */
export const CustomerLinesSchema = z.strictObject({
  pushback: scriptedLines.optional(),
  askWhy: scriptedLines.optional(),
  askWhoElse: scriptedLines.optional(),
  accept: scriptedLines.optional(),
  calmer: scriptedLines.optional(),
  angrier: scriptedLines.optional(),
  confused: scriptedLines.optional(),
  unknown: scriptedLines.optional(),
  goodbye: scriptedLines.optional(),
});

/** Who speaks first: the customer brings the problem, or the learner contacts them about one spotted first. */
export const OPENED_BY = ['customer', 'learner'] as const;

/**
 * How the customer's mood moves on hearing one piece of news. Its change is not named `mood`: that
 * key is the 0–4 level everywhere else, and the validator's hints for it would give the wrong scale.
 */
const MoodEventSchema = z.strictObject({
  /** What the learner says that counts as this news: topics of content words, matched as fact topics are; any one is enough. */
  hears: z.array(text).min(1, 'list at least one topic the learner would say in giving this news'),
  /** Steps the mood moves on hearing it: +1 one step angrier, -1 one step calmer; the mood stays within 0–4. */
  moodChange: z
    .number()
    .int('a mood change is a whole number of steps, such as +1 or -1')
    .min(-4, 'a mood change is at most 4 steps calmer: the mood runs from 0 calm to 4 furious')
    .max(4, 'a mood change is at most 4 steps angrier: the mood runs from 0 calm to 4 furious'),
  /** True (the default): only the first time the customer hears it; false: every message that says it. */
  once: z.boolean().default(true),
  /** What the customer says on hearing it, before answering anything else in the message. */
  says: text.optional(),
});

export const ScenarioSchema = z.strictObject({
  id,
  title: text,
  summary: text,
  difficulty: z.enum(DIFFICULTIES),
  problemType: z.enum(PROBLEM_TYPES),
  /** Whether the learner can resolve it: `partly` when one part can be put right and another cannot. */
  resolvable: z.union([z.boolean(), z.literal('partly')]),
  /** Why the learner cannot resolve it (or the part they cannot); required unless `resolvable` is true. */
  unresolvableBecause: text.optional(),
  setting: SettingSchema,
  /** What the learner is told before the conversation: role, what they can see, their limits. */
  briefing: text,
  /** Who speaks first; with `learner`, `customer.opening` is the customer's answer to the learner's first message. */
  openedBy: z.enum(OPENED_BY).default('customer'),
  customer: CustomerSchema,
  facts: z.array(FactSchema).min(1, 'a scenario needs at least one hidden fact'),
  cause: CauseSchema,
  options: z.array(OptionSchema).default([]),
  authority: AuthoritySchema,
  sourcesOfHelp: z.array(SourceOfHelpSchema).default([]),
  policy: z.array(PolicySchema).default([]),
  repeatedProblem: RepeatedProblemSchema.optional(),
  /** Ids of the rubric dimensions that this scenario assesses. */
  dimensions: z.array(id).min(1, 'name at least one rubric dimension'),
  lines: CustomerLinesSchema.default({}),
  /** How the customer's mood moves on hearing particular news from the learner. */
  moodEvents: z.array(MoodEventSchema).default([]),
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type Authority = z.infer<typeof AuthoritySchema>;
export type MoodEvent = z.infer<typeof MoodEventSchema>;
export type ActionKind = (typeof ACTION_KINDS)[number];
