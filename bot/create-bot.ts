/** Wires the bot from its parts: the scenario library, the state store and the evidence store. */
import { ConversationState, UserState } from 'botbuilder';
import type { Library } from '../engine/rubric-library.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { ConversationFlow } from '../dialogs/conversation-flow.ts';
import { KeyValueBotStorage } from './bot-storage.ts';
import { ServiceSimBot } from './servicesim-bot.ts';

export interface BotParts {
  library: Library;
  state: KeyValueStore;
  evidence: EvidenceStore;
}

export function createBot({ library, state, evidence }: BotParts): ServiceSimBot {
  const storage = new KeyValueBotStorage(state);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const flow = new ConversationFlow({ library, evidence, conversationState, userState });
  return new ServiceSimBot(flow, conversationState, userState);
}
