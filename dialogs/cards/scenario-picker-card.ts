/** The scenario picker: filters by problem type and difficulty, and a start button per scenario. */
import { DIFFICULTIES, PROBLEM_TYPES, type Scenario } from '../../engine/scenario-schema.ts';
import { cardButton } from './card-actions.ts';

const label = (id: string) => id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function scenarioPickerCard(
  scenarios: readonly Scenario[],
  universal: boolean,
  filter: { problemType?: string; difficulty?: string } = {},
): Record<string, unknown> {
  const shown = scenarios.filter(
    (s) => (!filter.problemType || s.problemType === filter.problemType) && (!filter.difficulty || s.difficulty === filter.difficulty),
  );
  const choice = (id: string, title: string, values: readonly string[], value?: string) => ({
    type: 'Input.ChoiceSet',
    id,
    label: title,
    value: value ?? 'any',
    choices: [{ title: 'Any', value: 'any' }, ...values.map((v) => ({ title: label(v), value: v }))],
  });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Choose a scenario', weight: 'Bolder', size: 'Medium', wrap: true },
      {
        type: 'ColumnSet',
        columns: [
          { type: 'Column', width: 'stretch', items: [choice('problemType', 'Problem type', PROBLEM_TYPES, filter.problemType)] },
          { type: 'Column', width: 'stretch', items: [choice('difficulty', 'Difficulty', DIFFICULTIES, filter.difficulty)] },
        ],
      },
      { type: 'ActionSet', actions: [cardButton('Filter', { action: 'pick' }, universal)] },
      ...(shown.length === 0 ? [{ type: 'TextBlock', text: 'No scenario matches those filters.', wrap: true, isSubtle: true }] : []),
      ...shown.map((s) => ({
        type: 'Container',
        separator: true,
        items: [
          { type: 'TextBlock', text: s.title, weight: 'Bolder', wrap: true },
          {
            type: 'TextBlock',
            text: `${label(s.problemType)} · ${s.difficulty}${s.resolvable ? '' : ' · cannot be fully resolved'}`,
            isSubtle: true,
            spacing: 'None',
            wrap: true,
          },
          { type: 'ActionSet', actions: [cardButton('Start', { action: 'start', scenarioId: s.id }, universal, 'positive')] },
        ],
      })),
    ],
  };
}
