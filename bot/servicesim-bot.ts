/**
 * The Bot Framework face of ServiceSim: turns activities from Teams or the local page into the
 * conversation flow, and saves bot state at the end of every turn.
 */
import { ActivityHandler, ActivityTypes, TurnContext, type ConversationState, type InvokeResponse, type UserState } from 'botbuilder';
import type { ConversationFlow } from '../dialogs/conversation-flow.ts';
import { KeyedQueue } from '../store/keyed-queue.ts';

export class ServiceSimBot extends ActivityHandler {
  /** One conversation's turns run one at a time. */
  private readonly turns = new KeyedQueue();

  constructor(
    private readonly flow: ConversationFlow,
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
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
   * BotState writes with eTag `*`, so two messages of one conversation handled at once would each
   * save over the other and one learner turn would vanish. Each conversation's turns are queued.
   */
  override async run(context: TurnContext): Promise<void> {
    return this.turns.run(`${context.activity.channelId}/${context.activity.conversation?.id}`, () => this.runTurn(context));
  }

  private async runTurn(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context);
    await this.userState.saveChanges(context);
  }

  /** Teams sends Action.Execute as an `adaptiveCard/action` invoke: handled as the same card submit. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const { type, value, text } = context.activity;
    const action = (value as { action?: { data?: unknown } } | undefined)?.action;
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
}
