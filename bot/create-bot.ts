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
import type { Logger } from 'pino';
import { AbandonedRehearsals } from '../dialogs/abandoned-rehearsals.ts';
import { OpenRehearsals } from '../store/open-rehearsals.ts';

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
  /**
   * The pass over rehearsals left unfinished (the bot's `abandoned`, to start in a long-running
   * server): one left `afterMs` (ABANDONED_AFTER_DAYS) is scored and kept as abandoned. Without
   * `afterMs` none is (each stays until its state expires), and the pass only keeps the list of
   * rehearsals under way from holding ones that are gone.
   */
  abandoned?: { afterMs?: number; logger: Logger };
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
  abandoned,
}: BotParts): ServiceSimBot {
  const links = new DataCopyLinks(state);
  const open = new OpenRehearsals(state);
  const turns = new ConversationTurns(leases ?? state, turnLease);
  const log = new RehearsalLog(state, stateExpiryMs);
  const rehearsalParts = parts ?? { customer: createScriptedCustomer(), scorer: createRulesScorer() };
  const references = new ConversationReferences(state);
  const conversationState = new ConversationState(new KeyValueBotStorage(state, stateExpiryMs));
  const userState = new UserState(new KeyValueBotStorage(state));
  const flow = new ConversationFlow({
    library,
    evidence,
    log,
    parts: rehearsalParts,
    conversationState,
    userState,
    reviews: new KeyValueReviewStore(state),
    references,
    cohorts: new CohortStore(state),
    unfinished: {
      open,
      store: state,
      ...(stateExpiryMs === undefined ? {} : { stateTtlMs: stateExpiryMs }),
      ...(abandoned?.afterMs ? { abandonedAfterDays: Math.round(abandoned.afterMs / DAY_MS) } : {}),
    },
    ...(dataCopyBaseUrl === undefined
      ? {}
      : {
          dataCopyLink: async (learner: Learner) =>
            `${typeof dataCopyBaseUrl === 'function' ? dataCopyBaseUrl() : dataCopyBaseUrl}${DATA_COPY_PATH}/${await links.issue(learner.id)}`,
        }),
    privacyText: privacyText(retentionDays || undefined, {
      ...(stateExpiryMs ? { unfinishedRehearsalDays: Math.round(stateExpiryMs / DAY_MS) } : {}),
      ...(abandoned?.afterMs ? { abandonedAfterDays: Math.round(abandoned.afterMs / DAY_MS) } : {}),
      held: HELD_ABOUT_LEARNERS,
      modelProvider: parts?.models !== undefined,
    }),
  });
  const keeper = abandoned
    ? new AbandonedRehearsals({
        store: state,
        open,
        turns,
        library,
        log,
        parts: rehearsalParts,
        evidence,
        references,
        idleMs: abandoned.afterMs ?? Infinity,
        ...(stateExpiryMs === undefined ? {} : { stateTtlMs: stateExpiryMs }),
        logger: abandoned.logger,
      })
    : undefined;
  return new ServiceSimBot(flow, conversationState, userState, turns, keeper);
}

const DAY_MS = 24 * 60 * 60 * 1000;
