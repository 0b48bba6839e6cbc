/**
 * The scenario picker: what the learner's tutors assigned them first, with the due date, then every
 * scenario, with filters by problem type and difficulty, and a start button per scenario.
 */
import { dueDayText } from '../../engine/assignment-progress.ts';
import { DIFFICULTIES, PROBLEM_TYPES, type Scenario } from '../../engine/scenario-schema.ts';
import { CARD_ENVELOPE, cardButton } from './card-actions.ts';

/** A scenario assigned to the learner and not yet done. */
export interface AssignedToLearner {
  scenario: Scenario;
  due: string;
  mode: 'practice' | 'assessment';
  cohortName: string;
  overdue: boolean;
}

const label = (id: string) => id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function scenarioPickerCard(
  scenarios: readonly Scenario[],
  universal: boolean,
  filter: { problemType?: string; difficulty?: string } = {},
  assigned: readonly AssignedToLearner[] = [],
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
    ...CARD_ENVELOPE,
    body: [
      ...(assigned.length > 0
        ? [
            { type: 'TextBlock', text: 'Assigned to you', weight: 'Bolder', size: 'Medium', wrap: true },
            ...assigned.map((a) => ({
              type: 'Container',
              style: a.overdue ? 'attention' : 'emphasis',
              items: [
                { type: 'TextBlock', text: `${a.scenario.title} (${a.scenario.id})`, weight: 'Bolder', wrap: true },
                {
                  type: 'TextBlock',
                  text: `${a.overdue ? 'Overdue: was due' : 'Due'} ${dueDayText(a.due)} · ${a.mode} · ${a.cohortName}`,
                  isSubtle: !a.overdue,
                  spacing: 'None',
                  wrap: true,
                },
                {
                  type: 'ActionSet',
                  actions: [cardButton('Start', { action: 'start', scenarioId: a.scenario.id }, universal, 'positive')],
                },
              ],
            })),
          ]
        : []),
      {
        type: 'TextBlock',
        text: assigned.length > 0 ? 'All scenarios' : 'Choose a scenario',
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
      },
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
          // The id beside the title: the welcome tells the learner they can type "start <id>".
          { type: 'TextBlock', text: `${s.title} (${s.id})`, weight: 'Bolder', wrap: true },
          {
            type: 'TextBlock',
            text: `${label(s.problemType)} · ${s.difficulty}${s.resolvable === true ? '' : ' · cannot be fully resolved'}`,
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
