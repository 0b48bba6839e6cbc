/**
 * What the tutors' report pages show: a learner's qualification portfolio for one unit, a cohort's
 * analytics, and the scorer's calibration against tutors. Each is plain data the routes already
 * hold (the engine's result, who is signed in, the CSRF token), laid out by review/report-views.ts.
 *
 * @remarks
 * The figures are worked out in the engine (engine/portfolio.ts, engine/cohort-analytics.ts,
 * engine/calibration.ts), never in a page, so a page, an export and a test cannot disagree.
 */
import type { Calibration } from '../engine/calibration.ts';
import type { CohortAnalytics } from '../engine/cohort-analytics.ts';
import type { Portfolio } from '../engine/portfolio.ts';
import type { PageTutor } from './page-models.ts';

interface ReportPageBase {
  tutor: PageTutor;
  /** The session's CSRF token, for the header's sign-out form. */
  csrf: string;
}

export interface PortfolioPage extends ReportPageBase {
  learner: { id: string; name?: string };
  portfolio: Portfolio;
  /** The units a tutor may switch to, offered by a plain GET form on the same page (`?unit=`). */
  units?: Array<{ id: string; title: string }>;
}

export interface CohortAnalyticsPage extends ReportPageBase {
  cohort: { id: string; name?: string };
  analytics: CohortAnalytics;
}

export interface CalibrationPage extends ReportPageBase {
  calibration: Calibration;
  /** Where the overrides download as labelled transcripts, a zip (`/api/export/labelled.zip`). */
  exportHref: string;
}
