/** Starts the real bot server (restify, CloudAdapter, the embedded SQLite store) on a free loopback port for a test. */
import pino from 'pino';
import { openStores } from '../cli/open-stores.ts';
import { createBot } from '../bot/create-bot.ts';
import { securityMode, type BotCredentials } from '../bot/security-mode.ts';
import { createServer, type ServerParts } from '../bot/server.ts';
import type { RehearsalParts } from '../engine/rehearsal.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { AssignmentReminders } from '../bot/assignment-reminders.ts';
import type { ReviewNotices } from '../bot/review-notices.ts';
import type { ReviewParts } from '../review/mount-review.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { makeTemporaryFolder, removeTemporaryFolder } from './temporary-folder.ts';

export interface RunningBot {
  url: string;
  evidence: EvidenceStore;
  /** The state store, where tutor accounts, sessions and reviews are kept too. */
  state: KeyValueStore;
  /** The review notices' queue (the server's retries are not started: a test calls retryDue). */
  notices: ReviewNotices;
  /** The assignment reminders (not started: a test calls remindDue). */
  reminders: AssignmentReminders;
  dataDir: string;
  close: () => Promise<void>;
}

/**
 * The server logs nothing unless a test passes a logger of its own in parts.
 * Without a dataDir the server keeps its state in a temporary folder of its own, removed by close()
 * (or at once if the server fails to start). A dataDir given by the test is the test's to remove.
 */
export async function startBotServer(
  credentials: BotCredentials = {},
  dataDir?: string,
  parts: Partial<Pick<ServerParts, 'webchatBundle' | 'logger' | 'limits'>> & {
    review?: Partial<Pick<ReviewParts, 'oidc' | 'sessionMs' | 'secureCookies' | 'now'>> & { noticeRetryDelaysMs?: readonly number[] };
    /** The customer and scorer, when not the scripted customer and the rules. */
    rehearsal?: RehearsalParts;
  } = {},
): Promise<RunningBot> {
  // Made here, not with temporaryFolder(): the server is usually started in beforeAll, outside any test.
  const dir = dataDir ?? makeTemporaryFolder('servicesim-bot-');
  const removeOwnFolder = () => {
    if (!dataDir) removeTemporaryFolder(dir);
  };
  try {
    const library = await loadLibrary();
    const logger = parts.logger ?? pino({ level: 'silent' });
    const stores = await openStores({ DATA_DIR: dir, REDIS_URL: '', REDIS_CLUSTER: 'false' }, logger);
    const { evidence } = stores;
    let url = '';
    const bot = createBot({
      library,
      state: stores.state,
      evidence,
      leases: stores.leases,
      dataCopyBaseUrl: () => url,
      ...(parts.rehearsal ? { parts: parts.rehearsal } : {}),
    });
    const mode = securityMode(credentials, 'test', '127.0.0.1');
    const { review, rehearsal: _rehearsal, ...serverParts } = parts;
    const { server, notices, reminders } = createServer({
      bot,
      mode,
      logger,
      storeReachable: stores.reachable,
      review: { library, evidence, store: stores.state, secureCookies: false, afterErasure: () => stores.afterErasure(), ...review },
      ...serverParts,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    return {
      url,
      evidence,
      state: stores.state,
      notices: notices!,
      reminders: reminders!,
      dataDir: dir,
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await stores.close();
        removeOwnFolder();
      },
    };
  } catch (error) {
    removeOwnFolder();
    throw error;
  }
}
