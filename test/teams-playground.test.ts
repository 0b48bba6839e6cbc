/**
 * The whole flow in the Microsoft 365 Agents Playground, a Teams-like client (`agentsplayground -c
 * msteams`): it installs the app, sends activities as Teams does (tenant and AAD ids, a personal
 * chat, Action.Execute as `adaptiveCard/action` invokes) to the real bot server, and renders its
 * cards with Teams' own Adaptive Card styles; Debian's chromium drives the page. The welcome, the
 * picker, a rehearsal, the debrief and its toggles, the reflection's Skip and the history.
 *
 * @remarks
 * The playground does not refresh cards for a user (it says "User specific view is not supported
 * yet"), so the debrief's refresh is checked as Teams sends it, in test/teams.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { launchChromium } from './chromium.ts';

const PLAYGROUND = path.join(import.meta.dirname, '..', 'node_modules', '.bin', 'agentsplayground');

let bot: RunningBot;
let browser: Browser;
let playground: ChildProcess;
let playgroundUrl: string;

/** A port nothing listens on now, for the playground (which would take its default, 56150, otherwise). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

beforeAll(async () => {
  bot = await startBotServer();
  const port = await freePort();
  playground = spawn(PLAYGROUND, ['-e', `${bot.url}/api/messages`, '-c', 'msteams', '-p', String(port), '--disable-telemetry'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let said = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Agents Playground did not start: ${said.slice(-500)}`)), 30_000);
    const listen = (chunk: Buffer) => {
      said += chunk.toString();
      const listening = /Listening on (\d+)/.exec(said);
      if (!listening) return;
      clearTimeout(timer);
      playgroundUrl = `http://127.0.0.1:${listening[1]}/`;
      resolve();
    };
    playground.stdout!.on('data', listen);
    playground.stderr!.on('data', listen);
    playground.once('exit', (code) => reject(new Error(`the Agents Playground exited (${code}): ${said.slice(-500)}`)));
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  // Its whole process group: the command starts a server of its own.
  if (playground?.pid && playground.exitCode === null) process.kill(-playground.pid, 'SIGTERM');
  await bot?.close();
});

/** Types into the playground's message box (a contenteditable) and sends it. */
async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox').last();
  await box.click();
  await box.fill(text);
  await page.keyboard.press('Enter');
}

describe('the bot in the Microsoft 365 Agents Playground, as Teams runs it', () => {
  it('welcomes, starts from the picker, rehearses, debriefs with toggles, skips the reflection and reopens it from history', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(playgroundUrl);

    // Installing the app is the welcome, with the picker.
    await page.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 30_000 });
    const scenario = page.locator('.ac-container').filter({ hasText: '(faulty-washing-machine)' }).last();
    // Start is an Action.Execute: the playground sends it as Teams does, an adaptiveCard/action invoke.
    await scenario.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('button', { name: 'End rehearsal' }).last().waitFor({ timeout: 20_000 });
    await page.getByText('flooded my kitchen floor again', { exact: false }).first().waitFor();

    // The customer answers (in words chosen for this rehearsal): the playground's log shows each message the bot sends.
    const botMessages = () => page.getByText('message 201', { exact: true }).count();
    const before = await botMessages();
    await send(page, "I'm so sorry about the flood. Can you tell me what happened when it started leaking?");
    await expect.poll(botMessages, { timeout: 20_000 }).toBeGreaterThan(before);

    await page.getByRole('button', { name: 'End rehearsal' }).last().click();
    const debrief = page.locator('.ac-container').filter({ hasText: 'Work on first:' }).last();
    await debrief.waitFor({ timeout: 20_000 });
    // The details open on the card itself (Action.ToggleVisibility), as in Teams.
    const evidence = page.getByText('Turn 2:', { exact: false }).first();
    await expect(evidence.isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Details: Listening and understanding' }).last().click();
    await evidence.waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'What you could not see' }).last().click();
    await page.getByText('The cause:', { exact: false }).last().waitFor({ state: 'visible' });

    // The reflection's suggested action.
    await page.getByRole('button', { name: 'Skip' }).last().click();
    await page.getByText('No reflection saved', { exact: false }).first().waitFor({ timeout: 20_000 });

    await send(page, 'history');
    await page.getByText('Your rehearsal so far', { exact: false }).first().waitFor({ timeout: 20_000 });
    const debriefsBefore = await page.getByText('Work on first:', { exact: false }).count();
    await page.getByRole('button', { name: 'Open' }).last().click();
    await expect.poll(() => page.getByText('Work on first:', { exact: false }).count(), { timeout: 20_000 }).toBe(debriefsBefore + 1);
    expect(problems).toEqual([]);

    // Filed as Teams files it: under the tenant and the learner's AAD object id, with the name Teams gives.
    const {
      records: [record],
    } = await bot.evidence.list({ limit: 10 });
    expect(record?.learner).toMatchObject({ name: expect.any(String), tenantId: expect.any(String) });
    expect(record!.learner.id).toMatch(new RegExp(`^${record!.learner.tenantId}/[0-9a-f-]+$`));
    expect(record?.turns.some((t) => t.role === 'learner' && /what happened when it started leaking/.test(t.text))).toBe(true);
  }, 120_000);
});
