/**
 * The local rehearsal page in a real browser (Debian's chromium driven by playwright-core): open
 * it, start a scenario from the card, exchange messages, end, and see the debrief card.
 */
import { type Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type RunningBot } from './bot-server.ts';

let bot: RunningBot;
let browser: Browser;
beforeAll(async () => {
  bot = await startBotServer();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

describe('the local rehearsal page', () => {
  it('rehearses a scenario started from the card, through to the debrief card', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${bot.url}/`);
    await page.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });

    // The card from the bot, rendered by Web Chat: start the washing-machine scenario.
    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Choose a scenario' });
    const scenario = card.locator('.ac-container').filter({ hasText: 'washing machine' }).first();
    await scenario.getByRole('button', { name: 'Start' }).click();
    await page.getByRole('button', { name: 'End rehearsal' }).first().waitFor({ timeout: 20_000 });

    const input = page.getByRole('textbox').last();
    const botBubbles = () => page.locator('.webchat__bubble:not(.webchat__bubble--from-user)').count();
    const before = await botBubbles();
    await input.fill("I'm really sorry, that sounds awful. Can you tell me what happened when it started leaking?");
    await input.press('Enter');
    await expect.poll(async () => page.locator('.webchat__bubble--from-user').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    // The customer answers (and, in practice mode, perhaps a coach): more from the bot than before.
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(before);

    await input.fill('end');
    await input.press('Enter');
    await page.getByText('Debrief:', { exact: false }).first().waitFor({ timeout: 20_000 });
    await expect(page.getByText('what went well', { exact: false }).count()).resolves.toBeGreaterThan(0);
    expect(problems).toEqual([]);

    const [record] = await bot.evidence.listFor(`webchat-local/${await page.evaluate(() => localStorage.getItem('servicesim.user'))}`);
    expect(record?.scenario.id).toBe('faulty-washing-machine');
    expect(record?.turns.some((t) => t.role === 'learner' && /what happened when it started leaking/.test(t.text))).toBe(true);
  }, 90_000);
});
