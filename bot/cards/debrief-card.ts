/**
 * The debrief: each dimension's level with the criteria codes it evidences, the quoted evidence and
 * one suggestion; authority breaches as blockers; the commitments made. Rendered the same in Teams
 * and in the local page.
 */
import type { RubricDimension } from '../../engine/rubric-library.ts';
import type { Scenario } from '../../engine/scenario-schema.ts';
import type { ScoreReport } from '../../engine/score-report.ts';

const text = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

export function debriefCard(scenario: Scenario, report: ScoreReport, dimensions: readonly RubricDimension[], endReason: string): Record<string, unknown> {
  const body: unknown[] = [
    text(`Debrief: ${scenario.title}`, { weight: 'Bolder', size: 'Medium' }),
    text(endReason, { isSubtle: true, spacing: 'None' }),
  ];
  if (report.breaches.length > 0) {
    body.push({
      type: 'Container',
      style: 'attention',
      items: [
        text('Beyond your authority (blocks the authority score)', { weight: 'Bolder', color: 'Attention' }),
        ...report.breaches.map((b) => text(`Turn ${b.turn}: "${b.quote}" — ${b.rule}`)),
      ],
    });
  }
  for (const id of scenario.dimensions) {
    const score = report.dimensions[id];
    if (!score) continue;
    const dimension = dimensions.find((d) => d.id === id);
    const codes = dimension?.criteria.map((c) => `${c.unit} ${c.code}`).join(', ') ?? '';
    const level = score.level === null ? 'not applicable' : `${score.level}/3${dimension ? ` (${dimension.levels[score.level]?.name})` : ''}`;
    body.push({
      type: 'Container',
      separator: true,
      items: [
        { type: 'ColumnSet', columns: [
          { type: 'Column', width: 'stretch', items: [text(dimension?.name ?? id, { weight: 'Bolder' })] },
          { type: 'Column', width: 'auto', items: [text(level, { weight: 'Bolder' })] },
        ] },
        ...(codes ? [text(`Evidences ${codes}`, { isSubtle: true, size: 'Small', spacing: 'None' })] : []),
        ...score.evidence.slice(0, 2).map((e) => text(`Turn ${e.turn}: "${e.quote}" — ${e.reason}`, { size: 'Small' })),
        ...(score.suggestion ? [text(`Try: ${score.suggestion}`, { size: 'Small', color: 'Accent' })] : []),
      ],
    });
  }
  body.push({
    type: 'Container',
    separator: true,
    items: [
      text('Commitments you made', { weight: 'Bolder' }),
      ...(report.commitments.length === 0
        ? [text('None.', { isSubtle: true })]
        : report.commitments.map((c) => text(`Turn ${c.turn}: ${c.what}${c.when ? ` (by ${c.when})` : ' (no time given)'}`, { size: 'Small' }))),
    ],
  });
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body };
}
