/** Starts the real bot server (restify, CloudAdapter, file stores) on a free loopback port for a test. */
import path from 'node:path';
import pino from 'pino';
import { createBot } from '../bot/create-bot.ts';
import { securityMode, type BotCredentials } from '../bot/security-mode.ts';
import { createServer, type ServerParts } from '../bot/server.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { FileEvidenceStore } from '../store/file-evidence-store.ts';
import { FileKeyValueStore } from '../store/file-key-value-store.ts';
import { makeTemporaryFolder, removeTemporaryFolder } from './temporary-folder.ts';

export interface RunningBot {
  url: string;
  evidence: FileEvidenceStore;
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
  parts: Partial<Pick<ServerParts, 'webchatBundle' | 'logger' | 'limits'>> = {},
): Promise<RunningBot> {
  // Made here, not with temporaryFolder(): the server is usually started in beforeAll, outside any test.
  const dir = dataDir ?? makeTemporaryFolder('servicesim-bot-');
  const removeOwnFolder = () => {
    if (!dataDir) removeTemporaryFolder(dir);
  };
  try {
    const library = await loadLibrary();
    const evidence = new FileEvidenceStore(path.join(dir, 'evidence'));
    const bot = createBot({ library, state: new FileKeyValueStore(path.join(dir, 'state')), evidence });
    const mode = securityMode(credentials, 'test', '127.0.0.1');
    const { server } = createServer({ bot, mode, logger: pino({ level: 'silent' }), ...parts });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      evidence,
      dataDir: dir,
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        removeOwnFolder();
      },
    };
  } catch (error) {
    removeOwnFolder();
    throw error;
  }
}
