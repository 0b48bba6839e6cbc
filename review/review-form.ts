/**
 * The review form's fields (review/views/rehearsal.eta) read into a submission, as the API takes it:
 * `level.<dimension>` is "agree" or 0–3, with `reason.<dimension>`; `comment.<turn>`; `feedback`;
 * `verdict`; `nextScenario`. A level set to the scorer's own is agreement, and needs no reason.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { ReviewSubmissionSchema, type ReviewProblem, type ReviewSubmission } from '../engine/tutor-review.ts';

export function submissionFromForm(
  form: Record<string, unknown>,
  record: EvidenceRecord,
): { submission: ReviewSubmission } | { problems: ReviewProblem[] } {
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
  const dimensions: Record<string, { level: number; reason: string }> = {};
  for (const [id, score] of Object.entries(record.report.dimensions)) {
    const chosen = field(`level.${id}`);
    if (chosen === undefined || chosen === 'agree' || chosen === '') continue;
    const level = Number(chosen);
    if (level === score.level) continue;
    dimensions[id] = { level, reason: field(`reason.${id}`) ?? '' };
  }
  const comments = record.turns.flatMap((_, i) => {
    const text = field(`comment.${i + 1}`)?.trim();
    return text ? [{ turn: i + 1, text }] : [];
  });
  const nextScenario = field('nextScenario')?.trim();
  const parsed = ReviewSubmissionSchema.safeParse({
    dimensions,
    comments,
    feedback: field('feedback') ?? '',
    verdict: field('verdict'),
    ...(nextScenario ? { nextScenario } : {}),
  });
  if (parsed.success) return { submission: parsed.data };
  return { problems: parsed.error.issues.map((issue) => ({ field: formFieldOf(issue.path, comments), message: issue.message })) };
}

/** The form field a problem is in, so the page can point at it. */
function formFieldOf(path: ReadonlyArray<PropertyKey>, comments: ReadonlyArray<{ turn: number }>): string {
  const [first, second, third] = path.map(String);
  if (first === 'dimensions' && second) return `${third === 'level' ? 'level' : 'reason'}.${second}`;
  if (first === 'comments' && second !== undefined) return `comment.${comments[Number(second)]?.turn ?? ''}`;
  if (first === 'verdict') return 'verdict';
  return first ?? 'form';
}
