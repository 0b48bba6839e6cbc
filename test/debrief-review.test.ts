/**
 * The learner's debrief once a tutor has reviewed it: the tutor's levels are the levels (the
 * scorer's beside them), a breach the tutor judged carries their word, and whatever the tutor typed
 * reaches the chat as written, never as Markdown or HTML.
 */
import { describe, expect, it } from 'vitest';
import { debriefView } from '../engine/debrief-view.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { debriefCard } from '../dialogs/cards/debrief-card.ts';
import { markdownLiteral } from '../dialogs/markdown-literal.ts';
import { historyReviewText, reviewSignedText } from '../dialogs/review-feedback-text.ts';
import { evidenceRecord, reportWith } from './store-conformance.ts';

const library = await loadLibrary();

const report = {
  ...reportWith([], 1),
  dimensions: {
    authority: { level: 0, max: 3 as const, evidence: [], suggestion: 'Ask the duty manager first.' },
    listening: { level: 2, max: 3 as const, evidence: [], suggestion: 'Reflect the feeling back.' },
  },
};

const review: TutorReview = {
  id: 'rv-1',
  recordId: 'r1',
  reviewer: { id: 'ann@example.org', name: 'Ann *Tutor*' },
  at: '2026-11-30T10:00:00.000Z',
  dimensions: { authority: { level: 3, reason: 'They asked the duty manager, as the policy says.' } },
  comments: [{ turn: 2, text: '<h1>Good</h1> **opening**' }],
  feedback: '# Remember\n<see handbook p.4> & read the briefing again.',
  verdict: 'meets-standard',
};

describe('a reviewed debrief', () => {
  it("gives the tutor's level, with the scorer's beside it, and their word on the breach", () => {
    const view = debriefView({ title: 'Kettle', report, dimensions: library.dimensions, review });
    const authority = view.dimensions.find((d) => d.id === 'authority')!;
    expect(authority.level).toBe(3);
    expect(authority.levelText).toMatch(/^3\/3 .*set by your tutor \(scored 0\/3\)$/);
    expect(authority.tutorReason).toBe('They asked the duty manager, as the policy says.');
    expect(view.summary).toContain('authority 3');
    expect(view.breachesReviewed).toBe('Your tutor set your authority level to 3: They asked the duty manager, as the policy says.');
    expect(view.tutor).toMatchObject({ verdict: 'meets the standard', by: 'Ann *Tutor*, 30 Nov 2026' });
    expect(debriefView({ title: 'Kettle', report, dimensions: library.dimensions }).breachesReviewed).toBeUndefined();
  });

  it('shows what the tutor typed as written, in the card and in messages', () => {
    const card = JSON.stringify(debriefCard(debriefView({ title: 'Kettle', report, dimensions: library.dimensions, review })));
    expect(card).not.toContain('<h1>');
    expect(card).not.toContain('**opening**');
    expect(card).toContain('&lt;h1&gt;Good&lt;/h1&gt; &#42;&#42;opening&#42;&#42;');
    const message = reviewSignedText(evidenceRecord(), review);
    expect(message).toContain('> &#35; Remember');
    expect(message).toContain('> &lt;see handbook p.4&gt; &amp; read the briefing again.');
    expect(message).toContain('Ann &#42;Tutor&#42;');
    expect(historyReviewText(review)).toContain('"&#35; Remember &lt;see handbook p.4&gt;');
  });

  it('keeps a web address whole, as a link to the address as typed', () => {
    expect(markdownLiteral('See https://en.wikipedia.org/wiki/Active_listening - then try again.')).toBe(
      'See <https://en.wikipedia.org/wiki/Active_listening> - then try again.',
    );
    expect(markdownLiteral('Read https://example.org/a?b=1&c=2.')).toBe('Read <https://example.org/a?b=1&c=2>.');
    expect(markdownLiteral('    indented, not code')).toBe('indented, not code');
  });

  it('names the tutor to the learner, never by their email', () => {
    const unnamed = { ...review, reviewer: { id: 'ann@example.org' } };
    expect(reviewSignedText(evidenceRecord(), unnamed)).toMatch(/^\*\*Your tutor has reviewed/);
    expect(historyReviewText(unnamed)).toMatch(/^tutor: /);
    expect(
      JSON.stringify(debriefCard(debriefView({ title: 'Kettle', report, dimensions: library.dimensions, review: unnamed }))),
    ).not.toContain('ann@example.org');
  });

  it('leaves ordinary words alone', () => {
    expect(markdownLiteral('Well done, Sam: a clear, calm reply. Next time ask 2 questions.')).toBe(
      'Well done, Sam: a clear, calm reply. Next time ask 2 questions.',
    );
    expect(markdownLiteral('1. First\n- then')).toBe('1&#46; First\n&#45; then');
  });
});
