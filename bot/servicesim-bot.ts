/**
 * The Bot Framework face of ServiceSim: turns activities from Teams or the local page into the
 * conversation flow, and saves bot state at the end of every turn.
 */
import { ActivityHandler, ActivityTypes, TurnContext, type ConversationState, type InvokeResponse, type UserState } from 'botbuilder';
import type { ConversationFlow } from '../dialogs/conversation-flow.ts';
import type { ConversationTurns } from '../store/conversation-turns.ts';
import { ETagConflictError } from '../store/key-value-store.ts';
import { turnProgressOf } from '../dialogs/turn-progress.ts';
import { conversationKeyOf } from '../dialogs/conversation-keys.ts';
import { REFRESH_DEBRIEF } from '../dialogs/cards/card-actions.ts';
import type { AbandonedRehearsals } from '../dialogs/abandoned-rehearsals.ts';
import { underlyingError } from './underlying-error.ts';

export class ServiceSimBot extends ActivityHandler {
  constructor(
    private readonly flow: ConversationFlow,
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    /** One conversation's turns, one at a time, across every process sharing the store. */
    private readonly turns: ConversationTurns,
    /** Keeps rehearsals left unfinished as abandoned: start it (`start()`) in a long-running server. */
    readonly abandoned?: AbandonedRehearsals,
  ) {
    super();
    this.onMessage(async (context, next) => {
      // In Teams channels and group chats the bot is @mentioned; the mention is not part of the reply.
      if (context.activity.text)
        context.activity.text = TurnContext.removeRecipientMention(context.activity)?.trim() ?? context.activity.text;
      await this.flow.onMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const learners = (context.activity.membersAdded ?? []).filter((m) => m.id !== context.activity.recipient?.id);
      if (learners.length > 0) await this.flow.welcome(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.flow.welcome(context);
      await next();
    });
  }

  /**
   * Two messages of one conversation handled at once would each build on the same state, and one
   * learner turn would vanish: each conversation's turns run one at a time, in every process.
   */
  override async run(context: TurnContext): Promise<void> {
    return this.turns.run(conversationKeyOf(context.activity), () => this.runTurn(context));
  }

  /**
   * A turn whose state was changed by another meanwhile (a process that outlived its lease, or the
   * same learner's turn in another conversation changing their profile) is refused on its first
   * save; if nothing has been sent yet, it is taken again, once, on fresh state.
   */
  private async runTurn(context: TurnContext): Promise<void> {
    try {
      await this.runOnce(context);
    } catch (error) {
      // Once committed, the turn stands (a retry would take the learner's message twice).
      if (!(underlyingError(error) instanceof ETagConflictError) || context.responded || turnProgressOf(context) !== 'not taken')
        throw error;
      await this.conversationState.load(context, true);
      await this.userState.load(context, true);
      await this.runOnce(context);
    }
  }

  private async runOnce(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context);
    await this.userState.saveChanges(context);
  }

  /** Teams sends Action.Execute as an `adaptiveCard/action` invoke: handled as the same card submit. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const { type, value, text } = context.activity;
    const action = (value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
    if (action?.verb === REFRESH_DEBRIEF) return this.refreshDebrief(context, action.data);
    context.activity.type = ActivityTypes.Message;
    context.activity.value = action?.data ?? {};
    context.activity.text = '';
    try {
      await this.flow.onMessage(context);
    } finally {
      // The adapter returns the invoke response only for an activity it still sees as an invoke.
      Object.assign(context.activity, { type, value, text });
    }
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Done' } };
  }

  /**
   * Teams asks for a debrief card again as its learner views it: the card as it is now (with a
   * review signed since), in the invoke's response. Anyone else is refused, and keeps the card they have.
   */
  private async refreshDebrief(context: TurnContext, data: unknown): Promise<InvokeResponse> {
    const card = await this.flow.refreshedDebrief(context, data);
    return {
      status: 200,
      body: card
        ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card }
        : {
            statusCode: 404,
            type: 'application/vnd.microsoft.error',
            value: { code: 'NotFound', message: 'That rehearsal is not in your history.' },
          },
    };
  }
}
