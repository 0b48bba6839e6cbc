/**
 * What each tutor page shows, decided by the routes (review/review-pages.ts) and laid out by the
 * templates (review/views/). The templates only lay out: every level, flag and filter is worked
 * out before it reaches them, so the pages and the JSON API cannot disagree.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import type { RubricDimension } from '../engine/rubric-library.ts';
import type { ScoreFlag } from '../engine/score-flags.ts';
import type { ReviewedLevel, TutorReview } from '../engine/tutor-review.ts';
import type { ReviewStatus } from '../store/evidence-store.ts';

/** The signed-in tutor, as every page's header shows them. */
export interface PageTutor {
  email: string;
  name?: string;
  role: 'admin' | 'tutor';
}

/** Every page that has forms carries the session's CSRF token, posted back as the `_csrf` field. */
interface PageBase {
  tutor: PageTutor;
  csrf: string;
}

export interface SignInPage {
  /** The pre-session CSRF token (double-submit cookie) for the sign-in form. */
  csrf: string;
  /** Where to go after signing in (a /review path). */
  next: string;
  /** "Wrong email or password", "Too many attempts…", "Your session ended: sign in again". */
  message?: string;
  /** When OpenID Connect is configured, sign-in is a single button to the organisation's provider, with its name. */
  oidc?: { providerName: string };
}

export interface InboxFilters {
  learner?: string;
  scenario?: string;
  mode?: EvidenceRecord['mode'];
  status?: ReviewStatus;
  /** Rehearsals with this score flag. */
  flag?: ScoreFlag;
  /** ISO dates (YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
}

export interface InboxRow {
  id: string;
  learner: { id: string; name?: string };
  scenario: { id: string; title: string };
  mode: EvidenceRecord['mode'];
  endedAt: string;
  /** In the scenario's order: the level that counts (tutor's if reviewed) and the scorer's. */
  levels: Array<{ dimension: string; name: string } & ReviewedLevel>;
  flags: ScoreFlag[];
  status: ReviewStatus;
}

export interface InboxPage extends PageBase {
  filters: InboxFilters;
  rows: InboxRow[];
  total: number;
  /** The choices the filter selects offer. */
  choices: {
    learners: Array<{ id: string; name?: string }>;
    scenarios: Array<{ id: string; title: string }>;
  };
  /** The query string of the next page (the filters plus the cursor), or undefined on the last page. */
  nextPage?: string;
  /** The query string of the first page, when not on it. */
  firstPage?: string;
}

export interface RehearsalPage extends PageBase {
  record: EvidenceRecord;
  /** The scenario's briefing, when the scenario is still in the library. */
  briefing?: string;
  /** The scorer's dimensions in the scenario's order, with their rubric (level descriptors, criteria codes "CS17 1.2"). */
  dimensions: Array<{
    id: string;
    name: string;
    rubric?: RubricDimension;
    criteria: string[];
    reviewed: ReviewedLevel;
    evidence: Array<{ turn: number; quote: string; reason: string }>;
    suggestion: string;
  }>;
  /** Transcript turns, numbered from 1, with the scorer's evidence quotes located in the text (for <mark>). */
  turns: Array<{
    number: number;
    role: 'customer' | 'learner';
    text: string;
    mood?: number;
    /** Character ranges [start, end) of quoted evidence in `text`, not overlapping, in order. */
    highlights: Array<{ start: number; end: number; reason: string }>;
    breach?: string;
  }>;
  /** Every review, oldest first; the last is the current one. */
  reviews: TutorReview[];
  /** Scenarios a tutor may name as the one to try next. */
  scenarios: Array<{ id: string; title: string }>;
  /** After a submission that failed: the problems, field by field. */
  problems?: Array<{ field: string; message: string }>;
  /**
   * What the review form shows, by field name (`level.<id>`, `reason.<id>`, `comment.<n>`,
   * `feedback`, `verdict`, `nextScenario`): what was typed, after a submission that failed.
   * Absent: the current review's choices, so a second review starts from the first, not afresh.
   */
  values?: Record<string, string>;
  /** A fresh id for this form's submission, so sending it twice (Back, then Sign off again) signs one review. */
  submission: string;
  /** A notice after signing off, such as "Review signed; the learner has been sent your feedback." */
  notice?: string;
}
