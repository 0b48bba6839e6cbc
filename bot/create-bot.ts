/**
 * Wires the bot from its parts: the scenario library, the state store, the evidence store, and the
 * customer and scorer (the scripted customer and the rules scorer unless others are given).
 */
import { ConversationState, UserState } from 'botbuilder';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import type { Library } from '../engine/rubric-library.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';
import { createScriptedCustomer } from '../engine/scripted-customer.ts';
import { CohortStore } from '../store/cohort-store.ts';
import { ConversationTurns, type TurnLeaseOptions } from '../store/conversation-turns.ts';
import { RehearsalLog } from '../store/rehearsal-log.ts';
import { ConversationReferences } from '../store/conversation-references.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { ConversationFlow } from '../dialogs/conversation-flow.ts';
import type { Learner } from '../engine/evidence-record.ts';
import { privacyText } from '../engine/learner-data-copy.ts';
import { DataCopyLinks } from '../store/data-copy-links.ts';
import { HELD_ABOUT_LEARNERS } from '../store/learner-data-holders.ts';
import { DATA_COPY_PATH } from './learner-data-route.ts';
import { KeyValueBotStorage } from './bot-storage.ts';
import { ServiceSimBot } from './servicesim-bot.ts';

export interface BotParts {
  library: Library;
  state: KeyValueStore;
  evidence: EvidenceStore;
  parts?: RehearsalParts;
  /**
   * A conversation left this long (and its rehearsal log) is forgotten: an abandoned rehearsal does
   * not keep its state for ever. Evidence and the learner's profile never expire. Absent: never.
   */
  stateExpiryMs?: number;
  /** The cross-process turn lease's timings; the defaults suit a bot. */
  turnLease?: Partial<TurnLeaseOptions>;
  /**
   * Where turn leases are kept, when not in `state`: they are shared by every process, like the
   * state, but need not survive a power cut, so SQLite keeps them without waiting for the disk.
   */
  leases?: KeyValueStore;
  /**
   * Where the learner's `my data` links point: the server's public address (a function when it is
   * known only once the server listens). Links must be absolute: Web Chat does not open a relative
   * one. Absent: no link can be given (the learner is told whom to ask).
   */
  dataCopyBaseUrl?: string | (() => string);
  /** RETENTION_DAYS, for what `privacy` tells the learner; absent or 0: evidence is kept until erased. */
  retentionDays?: number;
}

export function createBot({
  library,
  state,
  evidence,
  parts,
  stateExpiryMs,
  turnLease,
  leases,
  dataCopyBaseUrl,
  retentionDays,
}: BotParts): ServiceSimBot {
  const links = new DataCopyLinks(state);
  const conversationState = new ConversationState(new KeyValueBotStorage(state, stateExpiryMs));
  const userState = new UserState(new KeyValueBotStorage(state));
  const flow = new ConversationFlow({
    library,
    evidence,
    log: new RehearsalLog(state, stateExpiryMs),
    parts: parts ?? { customer: createScriptedCustomer(), scorer: createRulesScorer() },
    conversationState,
    userState,
    reviews: new KeyValueReviewStore(state),
    references: new ConversationReferences(state),
    cohorts: new CohortStore(state),
    ...(dataCopyBaseUrl === undefined
      ? {}
      : {
          dataCopyLink: async (learner: Learner) =>
            `${typeof dataCopyBaseUrl === 'function' ? dataCopyBaseUrl() : dataCopyBaseUrl}${DATA_COPY_PATH}/${await links.issue(learner.id)}`,
        }),
    privacyText: privacyText(retentionDays || undefined, {
      ...(stateExpiryMs ? { unfinishedRehearsalDays: Math.round(stateExpiryMs / (24 * 60 * 60 * 1000)) } : {}),
      held: HELD_ABOUT_LEARNERS,
      modelProvider: parts?.models !== undefined,
    }),
  });
  return new ServiceSimBot(flow, conversationState, userState, new ConversationTurns(leases ?? state, turnLease));
}
