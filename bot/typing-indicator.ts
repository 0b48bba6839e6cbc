/**
 * The "typing…" indicator, sent only when a reply keeps the learner waiting. The scripted customer
 * answers in milliseconds, so an indicator before every reply would be one more message posted per
 * turn for nothing; a customer played by a model takes seconds, and then the learner sees it.
 *
 * @remarks
 * botbuilder's ShowTypingMiddleware does the same, but when posting the indicator fails it calls
 * the adapter's turn-error handler in the middle of a turn that is still going well, so the learner
 * would be told to send again a message that is being answered (and the turn would count twice).
 * A lost indicator is nothing to trouble anyone with, so here it is simply dropped.
 */
import { ActivityTypes, TurnContext, type Middleware } from 'botbuilder';

/** Long enough that instant replies never show it; short enough that a person never wonders. */
const TYPING_DELAY_MS = 400;
const TYPING_REPEAT_MS = 2500;

export function typingIndicator(delay = TYPING_DELAY_MS): Middleware {
  return {
    async onTurn(context, next) {
      if (context.activity.type !== ActivityTypes.Message) return next();
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      const schedule = (wait: number) => {
        timer = setTimeout(async () => {
          if (finished) return;
          const typing = TurnContext.applyConversationReference(
            { type: ActivityTypes.Typing, relatesTo: context.activity.relatesTo },
            TurnContext.getConversationReference(context.activity),
          );
          // Sent through the adapter, not the turn, so it neither runs the turn's send handlers nor counts as a reply.
          await context.adapter.sendActivities(context, [typing]).catch(() => undefined);
          if (!finished) schedule(TYPING_REPEAT_MS);
        }, wait);
      };
      schedule(delay);
      try {
        await next();
      } finally {
        finished = true;
        clearTimeout(timer);
      }
    },
  };
}
