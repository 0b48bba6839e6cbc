/**
 * What a card button sends back, and how a button is built: in Teams, Action.Execute (Universal
 * Actions) with Action.Submit as the fallback for older clients; elsewhere Action.Submit, because Web
 * Chat renders Action.Execute but cannot send it. Both deliver the same data, checked with zod
 * before the bot acts on it.
 */
import { z } from 'zod';

export const CardSubmitSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('start'), scenarioId: z.string().min(1).max(200) }),
  z.object({ action: z.literal('pick'), problemType: z.string().max(100).optional(), difficulty: z.string().max(100).optional() }),
  z.object({ action: z.literal('end'), rehearsalId: z.string().min(1).max(200) }),
  z.object({ action: z.literal('open'), recordId: z.string().min(1).max(200) }),
  z.object({ action: z.literal('resume'), rehearsalId: z.string().min(1).max(200) }),
]);

export type CardSubmit = z.infer<typeof CardSubmitSchema>;

/**
 * The verb of a debrief card's refresh (Universal Actions): Teams asks the bot for the card again
 * whenever its learner views it, so a tutor's review signed since shows on the card itself.
 */
export const REFRESH_DEBRIEF = 'refreshDebrief';
export const DebriefRefreshSchema = z.object({ action: z.literal(REFRESH_DEBRIEF), recordId: z.string().min(1).max(200) });

/** A debrief card's refresh clause: refreshed automatically for its learner (their Teams user id) only. */
export function debriefRefresh(recordId: string, userId: string): Record<string, unknown> {
  return {
    action: { type: 'Action.Execute', title: 'Refresh', verb: REFRESH_DEBRIEF, data: { action: REFRESH_DEBRIEF, recordId } },
    userIds: [userId],
  };
}

/** What every card of this bot starts with: Adaptive Cards 1.5, the version Universal Actions (Action.Execute) need. */
export const CARD_ENVELOPE = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
} as const;

/** Whether the host sends Action.Execute: Teams does. */
export const hostHasUniversalActions = (channelId: string | undefined) => channelId === 'msteams';

/** Who a debrief card is refreshed for: the learner it is sent to, where the host refreshes cards (Teams). */
export const debriefRefreshFor = (context: { activity: { channelId?: string; from?: { id?: string } } }): string | undefined =>
  hostHasUniversalActions(context.activity.channelId) && context.activity.from?.id ? context.activity.from.id : undefined;

/** A button whose data comes back as a CardSubmit, however the host sends it. */
export function cardButton(
  title: string,
  data: CardSubmit,
  universal: boolean,
  style?: 'positive' | 'destructive',
): Record<string, unknown> {
  const submit = { type: 'Action.Submit', title, data, ...(style ? { style } : {}) };
  return universal ? { type: 'Action.Execute', title, verb: data.action, data, ...(style ? { style } : {}), fallback: submit } : submit;
}

/** Card values arrive with Input.* fields merged in; "any" in a filter means no filter. */
export function readCardSubmit(value: unknown): CardSubmit | undefined {
  const parsed = CardSubmitSchema.safeParse(value);
  if (!parsed.success) return undefined;
  if (parsed.data.action !== 'pick') return parsed.data;
  const { problemType, difficulty } = parsed.data;
  return {
    action: 'pick',
    ...(problemType && problemType !== 'any' ? { problemType } : {}),
    ...(difficulty && difficulty !== 'any' ? { difficulty } : {}),
  };
}
