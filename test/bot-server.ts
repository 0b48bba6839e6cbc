/** Starts the real bot server (restify, CloudAdapter, file stores) on a free loopback port for a test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createBot } from '../bot/create-bot.ts';
import { securityMode, type BotCredentials } from '../bot/security-mode.ts';
import { createServer } from '../bot/server.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { FileEvidenceStore } from '../store/file-evidence-store.ts';
import { FileKeyValueStore } from '../store/file-key-value-store.ts';

export interface RunningBot {
  url: string;
  evidence: FileEvidenceStore;
  dataDir: string;
  close: () => Promise<void>;
}

export async function startBotServer(credentials: BotCredentials = {}, dataDir?: string): Promise<RunningBot> {
  const dir = dataDir ?? (await mkdtemp(path.join(tmpdir(), 'servicesim-bot-')));
  const library = await loadLibrary();
  const evidence = new FileEvidenceStore(path.join(dir, 'evidence'));
  const bot = createBot({ library, state: new FileKeyValueStore(path.join(dir, 'state')), evidence });
  const mode = securityMode(credentials, 'test', '127.0.0.1');
  const { server } = createServer({ bot, mode, logger: pino({ level: 'silent' }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    evidence,
    dataDir: dir,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
