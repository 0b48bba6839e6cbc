/**
 * How a tutor's review reads to the learner: the message that tells them it is signed, and the
 * line their history shows. Markdown, as Teams and Web Chat render it.
 */
import { calendarDay } from '../engine/debrief-view.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { VERDICT_TEXT, type TutorReview } from '../engine/tutor-review.ts';
import { markdownLiteral } from './markdown-literal.ts';

/** "Your tutor Ann Tutor", or just "Your tutor": a tutor's email (their id) is never shown to learners. */
const yourTutor = (review: TutorReview, your = 'Your tutor') =>
  review.reviewer.name ? `${your} ${markdownLiteral(review.reviewer.name)}` : your;

export function reviewSignedText(record: EvidenceRecord, review: TutorReview, nextScenarioTitle?: string): string {
  return [
    `**${yourTutor(review)} has reviewed your rehearsal "${markdownLiteral(record.scenario.title)}"** (${calendarDay(record.endedAt)}): **${VERDICT_TEXT[review.verdict]}**.`,
    // Quoted line by line, each written as typed: the tutor wrote plain text, not Markdown.
    review.feedback
      .split(/\n+/)
      .map((line) => `> ${markdownLiteral(line)}`)
      .join('\n>\n'),
    ...(review.nextScenario ? [`Try next: **${nextScenarioTitle ?? review.nextScenario}** (type **start ${review.nextScenario}**).`] : []),
    'Type **history** to see it with your debrief.',
  ].join('\n\n');
}

/** The review's part of a history line: "tutor: meets the standard: 'Good questions…'". */
export function historyReviewText(review: TutorReview): string {
  const feedback = review.feedback.length > 140 ? `${review.feedback.slice(0, 139)}…` : review.feedback;
  return `${yourTutor(review, 'tutor')}: **${VERDICT_TEXT[review.verdict]}**: "${markdownLiteral(feedback.replace(/\s+/g, ' '))}"`;
}
