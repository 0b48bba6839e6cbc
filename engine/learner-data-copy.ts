/**
 * What a learner is given when they ask for their data (`my data`), and what they are told when
 * they ask what is kept (`privacy`): their rehearsals as stored, their tutors' reviews of them, what
 * other parts hold about them, and what is kept for how long, in plain words for learners of 16 and over.
 *
 * @remarks
 * Pure: the caller reads the records, reviews and other holdings, and audits the copy. A review
 * names its tutor by name; a tutor's email (their id) is never shown to learners, as elsewhere
 * (`dialogs/review-feedback-text.ts`), so a review signed by a tutor with no name says so instead.
 */
import type { EvidenceRecord } from './evidence-record.ts';
import type { TutorReview } from './tutor-review.ts';

/** Something another part keeps about the learner (their cohorts, say), for the copy and the privacy text. */
export interface HeldLearnerData {
  /** What it is, in the learner's words: "the groups you have joined". */
  what: string;
  /** How long it is kept, in plain words that follow "Kept": "until you leave the group". */
  keptFor: string;
  /** The data itself, as JSON; absent: only described. */
  data?: unknown;
}

export interface LearnerDataCopyInput {
  learner: { id: string; name?: string };
  /** Every record of the learner's, as stored. */
  records: readonly EvidenceRecord[];
  /** Each record's reviews, oldest first, by record id. */
  reviews: ReadonlyMap<string, readonly TutorReview[]>;
  /** `RETENTION_DAYS`; absent: kept until erased. */
  retentionDays?: number;
  /** Days after which an unfinished rehearsal is forgotten (`STATE_EXPIRY_DAYS`); absent or 0: never. */
  unfinishedRehearsalDays?: number;
  /** Days after which an unfinished rehearsal is scored and kept as abandoned (`ABANDONED_AFTER_DAYS`); absent or 0: never. */
  abandonedAfterDays?: number;
  held?: readonly HeldLearnerData[];
  madeAt: Date;
}

/** A review as the learner receives it. */
interface ReviewCopy {
  signedAt: string;
  reviewer: string;
  verdict: TutorReview['verdict'];
  feedback: string;
  /** The levels the tutor changed, and why; any dimension not here kept the scorer's level, agreed. */
  changedLevels: TutorReview['dimensions'];
  comments: TutorReview['comments'];
  nextScenario?: string;
}

export interface LearnerDataCopy {
  about: string;
  madeAt: string;
  learner: { id: string; name?: string };
  rehearsals: { record: EvidenceRecord; reviews: ReviewCopy[] }[];
  other: { what: string; keptFor: string; data?: unknown }[];
  kept: { what: string; keptFor: string }[];
  whoCanSee: string;
  erasure: string;
}

const NO_NAME = 'a tutor at your centre (no name was recorded)';

/** The JSON a learner is given for "my data": everything kept about them, and what is kept for how long. */
export function learnerDataCopy(input: LearnerDataCopyInput): LearnerDataCopy {
  const name = input.learner.name ?? input.records.find((r) => r.learner.name)?.learner.name;
  return {
    about: 'A copy of everything ServiceSim keeps about you, made when you asked for it. It is in JSON, a format any text editor can open.',
    madeAt: input.madeAt.toISOString(),
    learner: { id: input.learner.id, ...(name ? { name } : {}) },
    rehearsals: input.records.map((record) => ({
      record,
      reviews: (input.reviews.get(record.id) ?? []).map(reviewCopy),
    })),
    other: (input.held ?? []).map(({ what, keptFor, data }) => ({ what, keptFor, ...(data === undefined ? {} : { data }) })),
    kept: keptList(input.retentionDays, input, input.held ?? []),
    whoCanSee: WHO_CAN_SEE,
    erasure: ERASURE,
  };
}

function reviewCopy(review: TutorReview): ReviewCopy {
  return {
    signedAt: review.at,
    reviewer: review.reviewer.name ?? NO_NAME,
    verdict: review.verdict,
    feedback: review.feedback,
    changedLevels: review.dimensions,
    comments: review.comments,
    ...(review.nextScenario ? { nextScenario: review.nextScenario } : {}),
  };
}

/** "1 day", "30 days", "2 years" (a whole number of years of 365 days). */
function period(days: number): string {
  if (days % 365 === 0) return days === 365 ? '1 year' : `${days / 365} years`;
  return days === 1 ? '1 day' : `${days} days`;
}

const rehearsalsKeptFor = (retentionDays: number | undefined) =>
  retentionDays === undefined
    ? 'until it is erased: your centre has set no time limit'
    : `for ${period(retentionDays)} after the rehearsal ends, then deleted, with its reviews and everything else that belongs to it`;

/** How long a rehearsal left unfinished waits: until it is kept as abandoned, or forgotten with its state. */
interface UnfinishedDays {
  unfinishedRehearsalDays?: number | undefined;
  abandonedAfterDays?: number | undefined;
}

function unfinishedKeptFor({ unfinishedRehearsalDays: forgotten, abandonedAfterDays: abandoned }: UnfinishedDays): string {
  if (abandoned)
    return `until your data is erased; a rehearsal left unfinished is scored as it stands and kept with the rehearsals you finish, as abandoned, ${period(abandoned)} after your last message in it`;
  if (forgotten)
    return `until your data is erased; a rehearsal left unfinished is forgotten ${period(forgotten)} after your last message in it`;
  return 'until your data is erased';
}

function keptList(
  retentionDays: number | undefined,
  unfinished: UnfinishedDays,
  held: readonly HeldLearnerData[],
): { what: string; keptFor: string }[] {
  const withRehearsal = 'for as long as the rehearsal itself';
  return [
    {
      what: 'Each rehearsal you finish: what you and the customer said, your scores and the evidence quoted for them, your reflection, when you did it, and your name and account id as Teams (or the rehearsal page) gave them',
      keptFor: rehearsalsKeptFor(retentionDays),
    },
    { what: "Your tutors' reviews of your rehearsals: their levels, comments and feedback, and who signed them", keptFor: withRehearsal },
    { what: "Where each rehearsal was held, so that your tutor's feedback can reach you in the same chat", keptFor: withRehearsal },
    {
      what: 'Your settings (practice or assessment mode) and any rehearsal you are part way through',
      keptFor: unfinishedKeptFor(unfinished),
    },
    ...held.map(({ what, keptFor }) => ({ what, keptFor })),
  ];
}

const WHO_CAN_SEE =
  "You (type history to see your rehearsals), the tutors of every group you join with a code (all your rehearsals, including earlier ones), any tutor your centre has given you to, and your centre's ServiceSim admins. Other learners never see your data.";

const ERASURE =
  'To have your data erased, ask your tutor or an admin at your centre. Erasing deletes your rehearsals, your reviews and everything else listed here, for good: get your copy first if you want to keep one. A note that an erasure was made is kept, without your name or id.';

const MODEL_PROVIDER =
  "In this bot an AI model plays the customer or helps mark your replies, so the words of your rehearsals (yours and the customer's) are sent to the model provider your centre has set up. Your name and account are never sent.";

/**
 * What the bot's `privacy` command says: what is kept, for how long, who can see it, how to get a
 * copy and how to ask for erasure. Markdown, as the bot's other messages.
 */
export function privacyText(
  retentionDays: number | undefined,
  {
    unfinishedRehearsalDays,
    abandonedAfterDays,
    held = [],
    modelProvider = false,
  }: {
    unfinishedRehearsalDays?: number;
    abandonedAfterDays?: number;
    held?: readonly HeldLearnerData[];
    /** A model plays the customer or judges in this bot: the learner's words go to its provider. */
    modelProvider?: boolean;
  } = {},
): string {
  const kept = keptList(retentionDays, { unfinishedRehearsalDays, abandonedAfterDays }, held);
  return [
    '**What ServiceSim keeps about you**',
    kept.map(({ what, keptFor }) => `- ${what}. *Kept ${keptFor}.*`).join('\n'),
    `**Who can see it**\n${WHO_CAN_SEE.replace('type history', 'type **history**')}`,
    ...(modelProvider ? [`**Sent to an AI model**\n${MODEL_PROVIDER}`] : []),
    '**Your copy**\nType **my data** and you will get a file with everything listed above.',
    `**Having it erased**\n${ERASURE}`,
  ].join('\n\n');
}
