/**
 * The learner's history as a card they can open: each rehearsal with its date, mode and levels, an
 * "Open" button that shows its debrief again (with the tutor's review once there is one), and, for
 * a scenario rehearsed more than once, how this attempt compares with the one before.
 */
import type { EvidenceRecord } from '../../engine/evidence-record.ts';
import { CARD_ENVELOPE, cardButton } from './card-actions.ts';

export interface HistoryRow {
  record: EvidenceRecord;
  /** The levels in a line: "listening 2, questioning 1". */
  summary: string;
  /** The tutor's verdict, once reviewed. */
  reviewed?: string;
}

/** The sum of a record's levels, over the dimensions levelled in both it and the one compared. */
function levelTotal(record: EvidenceRecord, dimensions: ReadonlySet<string>): number {
  return [...dimensions].reduce((sum, id) => sum + (record.report.dimensions[id]?.level ?? 0), 0);
}

/**
 * "Attempt 2 of this scenario: up 3 levels on the last" for a repeated scenario; undefined for a
 * first attempt. `newestFirst` is the learner's whole list, newest first.
 */
export function attemptProgress(record: EvidenceRecord, newestFirst: readonly EvidenceRecord[]): string | undefined {
  const attempts = newestFirst.filter((r) => r.scenario.id === record.scenario.id).reverse();
  const index = attempts.findIndex((r) => r.id === record.id);
  if (index <= 0) return undefined;
  const before = attempts[index - 1]!;
  const both = new Set(
    Object.keys(record.report.dimensions).filter(
      (id) => typeof record.report.dimensions[id]?.level === 'number' && typeof before.report.dimensions[id]?.level === 'number',
    ),
  );
  const change = levelTotal(record, both) - levelTotal(before, both);
  const word = change > 0 ? `up ${change}` : change < 0 ? `down ${-change}` : 'level with';
  const levels = Math.abs(change) === 1 ? 'level' : 'levels';
  return `Attempt ${index + 1} of this scenario: ${change === 0 ? 'level with the last' : `${word} ${levels} on the last`}.`;
}

export function historyCard(
  rows: readonly HistoryRow[],
  newestFirst: readonly EvidenceRecord[],
  universal: boolean,
): Record<string, unknown> {
  return {
    ...CARD_ENVELOPE,
    body: [
      {
        type: 'TextBlock',
        text: rehearsalsHeading(rows.length),
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
      },
      ...rows.map(({ record, summary, reviewed }, i) => {
        const progress = attemptProgress(record, newestFirst);
        return {
          type: 'Container',
          separator: true,
          items: [
            {
              type: 'ColumnSet',
              columns: [
                {
                  type: 'Column',
                  width: 'stretch',
                  items: [
                    { type: 'TextBlock', text: `${i + 1}. ${record.scenario.title}`, weight: 'Bolder', wrap: true },
                    {
                      type: 'TextBlock',
                      text: `${record.endedAt.slice(0, 10)} · ${record.mode}${record.endReason === 'abandoned' ? ' · left unfinished' : ''} · ${summary}`,
                      isSubtle: true,
                      size: 'Small',
                      spacing: 'None',
                      wrap: true,
                    },
                    ...(progress
                      ? [{ type: 'TextBlock', text: progress, size: 'Small', color: 'Accent', spacing: 'None', wrap: true }]
                      : []),
                    ...(reviewed ? [{ type: 'TextBlock', text: reviewed, size: 'Small', spacing: 'None', wrap: true }] : []),
                  ],
                },
                {
                  type: 'Column',
                  width: 'auto',
                  verticalContentAlignment: 'Center',
                  items: [{ type: 'ActionSet', actions: [cardButton('Open', { action: 'open', recordId: record.id }, universal)] }],
                },
              ],
            },
          ],
        };
      }),
    ],
  };
}

/** "Your last 3 rehearsals", or, for a learner with one, "Your rehearsal so far". */
export const rehearsalsHeading = (count: number) => (count === 1 ? 'Your rehearsal so far' : `Your last ${count} rehearsals`);
