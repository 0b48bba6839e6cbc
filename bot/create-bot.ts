/**
 * Wires the bot from its parts: the scenario library, the state store, the evidence store, and the
 * customer and scorer (the scripted customer and the rules scorer unless others are given).
 */
import { ConversationState, UserState } from 'botbuilder';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { RehearsalLog } from '../store/rehearsal-log.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { ConversationFlow } from '../dialogs/conversation-flow.ts';
import { KeyValueBotStorage } from './bot-storage.ts';
import { ServiceSimBot } from './servicesim-bot.ts';

export interface BotParts {
  library: Library;
  state: KeyValueStore;
  evidence: EvidenceStore;
  parts?: RehearsalParts;
}

export function createBot({ library, state, evidence, parts }: BotParts): ServiceSimBot {
  const storage = new KeyValueBotStorage(state);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const flow = new ConversationFlow({
    library,
    evidence,
    log: new RehearsalLog(state),
    parts: parts ?? { customer: createScriptedCustomer(), scorer: createRulesScorer() },
    conversationState,
    userState,
  });
  return new ServiceSimBot(flow, conversationState, userState);
}
