/**
 * The local rehearsal page in a real browser (Debian's chromium driven by playwright-core): open
 * it, start a scenario from the card, exchange messages, end, and see the debrief card: its summary
 * on the first screen, its details behind toggles that open in the browser; the history card opens
 * it again. And a reload keeps the conversation; a new conversation greets the learner and offers
 * the rehearsal left unfinished, which carries on there. While the customer answers, the learner's
 * message shows as sent and the customer as typing.
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { createMockCustomer } from '../engine/mock-customer.ts';
import { createRulesScorer } from '../engine/rules-scorer.ts';

/** `SCREENSHOTS=1 npx vitest run test/bot-browser.test.ts` also saves the README's learner screenshots in docs/. */
const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const DOCS = path.join(import.meta.dirname, '..', 'docs');
const shoot = async (page: Page, name: string) => {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, name) });
};

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

/**
 * A new learner opens the page and starts the washing-machine scenario from the bot's card, as
 * Web Chat renders it; any error the page throws is collected.
 */
async function startWashingMachine(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${bot.url}/`);
  await page.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });
  const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Choose a scenario' });
  await card.first().waitFor();
  await shoot(page, 'learner-welcome.png');
  await card.locator('.ac-container').filter({ hasText: 'washing machine' }).first().getByRole('button', { name: 'Start' }).click();
  await page.getByRole('button', { name: 'End rehearsal' }).first().waitFor({ timeout: 20_000 });
  return { page, problems };
}

describe('the local rehearsal page', () => {
  it('rehearses a scenario started from the card, through to the debrief card', async () => {
    const { page, problems } = await startWashingMachine();

    const input = page.getByRole('textbox').last();
    const botBubbles = () => page.locator('.webchat__bubble:not(.webchat__bubble--from-user)').count();
    const before = await botBubbles();
    await input.fill("I'm really sorry, that sounds awful. Can you tell me what happened when it started leaking?");
    await input.press('Enter');
    await expect.poll(async () => page.locator('.webchat__bubble--from-user').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    // The customer answers (and, in practice mode, perhaps a coach): more from the bot than before.
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(before);
    if (SCREENSHOTS) {
      // The latest messages, as a learner mid-rehearsal sees them.
      await page.locator('.webchat__basic-transcript__scrollable').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await page.waitForTimeout(300);
      await shoot(page, 'learner-rehearsal.png');
    }

    await input.fill('end');
    await input.press('Enter');
    await page.getByText('Debrief:', { exact: false }).first().waitFor({ timeout: 20_000 });
    await expect(page.getByText('what went well', { exact: false }).count()).resolves.toBeGreaterThan(0);

    // The debrief's first screen carries the summary and the one thing to work on first; the rest is
    // collapsed, so it fits a chat pane without a long scroll.
    const debrief = page.locator('.ac-adaptiveCard').filter({ hasText: 'Debrief:' }).first();
    await debrief.getByText(/^Work on first:/).waitFor();
    if (SCREENSHOTS) {
      // The whole card, collapsed as it arrives: in a window tall enough that Web Chat need not scroll it.
      const size = page.viewportSize()!;
      await page.setViewportSize({ width: 1000, height: 3000 });
      await debrief.screenshot({ path: path.join(DOCS, 'learner-debrief.png') });
      await page.setViewportSize(size);
    }
    const cardBox = (await debrief.boundingBox())!;
    const summaryBox = (await debrief.getByText(/^Work on first:/).boundingBox())!;
    const screen = page.viewportSize()!.height;
    expect(summaryBox.y + summaryBox.height - cardBox.y).toBeLessThan(screen / 2);
    expect(cardBox.height).toBeLessThan(screen * 2);
    // Details open and close on the card itself.
    const evidence = debrief.getByText('Turn 2:', { exact: false }).first();
    await expect(evidence.isVisible()).resolves.toBe(false);
    await debrief.getByRole('button', { name: 'Details: Listening and understanding' }).click();
    await evidence.waitFor({ state: 'visible' });
    await debrief.getByRole('button', { name: 'What you could not see' }).click();
    await debrief.getByText('The cause:', { exact: false }).waitFor({ state: 'visible' });
    const opened = (await debrief.boundingBox())!.height;
    expect(opened).toBeGreaterThan(cardBox.height);

    // Skip the reflection, then reopen the debrief from the history card.
    await input.fill('skip');
    await input.press('Enter');
    await page.getByText('No reflection saved', { exact: false }).first().waitFor({ timeout: 20_000 });
    await input.fill('history');
    await input.press('Enter');
    const history = page.locator('.ac-adaptiveCard').filter({ hasText: 'Your rehearsal so far' }).first();
    await history.getByRole('button', { name: 'Open' }).click();
    const debriefs = page.locator('.ac-adaptiveCard').filter({ hasText: 'Debrief:' });
    await expect.poll(() => debriefs.count(), { timeout: 20_000 }).toBe(2);
    expect(problems).toEqual([]);

    const [record] = await bot.evidence.listFor(`webchat-local/${await page.evaluate(() => localStorage.getItem('servicesim.user'))}`);
    expect(record?.scenario.id).toBe('faulty-washing-machine');
    expect(record?.turns.some((t) => t.role === 'learner' && /what happened when it started leaking/.test(t.text))).toBe(true);
  }, 90_000);

  it('keeps the conversation over a reload, and greets a new conversation with the picker and the rehearsal left unfinished', async () => {
    const { page, problems } = await startWashingMachine();
    const botBubbles = () => page.locator('.webchat__bubble:not(.webchat__bubble--from-user)').count();
    const before = await botBubbles();
    const input = page.getByRole('textbox').last();
    await input.fill('Can you tell me what happened when it started leaking?');
    await input.press('Enter');
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(before);
    const shown = await botBubbles();

    // A reload shows the briefing, the learner's words and the customer's replies again, once each.
    await page.reload();
    await page.getByRole('button', { name: 'End rehearsal' }).first().waitFor({ timeout: 20_000 });
    const said = page.locator('.webchat__bubble--from-user').filter({ hasText: 'what happened when it started leaking' });
    await expect.poll(() => said.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(botBubbles, { timeout: 20_000 }).toBe(shown);
    // And the rehearsal carries on from there.
    await input.fill('Has it been moved at all since it was installed?');
    await input.press('Enter');
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(shown);

    // "New conversation" greets the learner met before, with the picker, and starts clean.
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByText('Welcome back to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.locator('.ac-adaptiveCard').filter({ hasText: 'Choose a scenario' }).first().waitFor();
    expect(await said.count()).toBe(0);

    // The rehearsal left in the first conversation is offered, and taken up where it was left.
    const offer = page.locator('.ac-adaptiveCard').filter({ hasText: 'You have an unfinished rehearsal' });
    await offer.first().waitFor({ timeout: 20_000 });
    await offer.first().getByRole('button', { name: 'Resume' }).click();
    await page.getByText('where you left it', { exact: false }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'End rehearsal' }).first().waitFor();
    const resumed = await botBubbles();
    await input.fill('Thank you. Is the water still coming out now?');
    await input.press('Enter');
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(resumed);
    expect(await page.getByText('You are not in a rehearsal', { exact: false }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 90_000);
});

describe('the local rehearsal page, while the customer takes a while to answer', () => {
  let slow: RunningBot;
  beforeAll(async () => {
    slow = await startBotServer({}, undefined, {
      rehearsal: {
        customer: createMockCustomer({ delayMs: 3000, replies: ['Well, it leaks when it spins.'] }),
        scorer: createRulesScorer(),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await slow?.close();
  }, 30_000);

  it('shows the message as sent and the customer as typing, not "Sending", until the answer comes', async () => {
    const page = await browser.newPage();
    await page.goto(`${slow.url}/`);
    await page.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });
    const input = page.getByRole('textbox').last();
    await input.fill('start faulty-washing-machine');
    await input.press('Enter');
    await page.getByRole('button', { name: 'End rehearsal' }).first().waitFor({ timeout: 20_000 });

    await input.fill('When does it leak?');
    await input.press('Enter');
    const typing = page.locator('.webchat__typing-indicator');
    await typing.first().waitFor({ state: 'visible', timeout: 2_000 });
    expect(await page.getByText('Sending', { exact: true }).count()).toBe(0);
    await page.getByText('Well, it leaks when it spins.').first().waitFor({ timeout: 20_000 });
    await expect.poll(() => typing.count(), { timeout: 10_000 }).toBe(0);
    await page.close();
  }, 60_000);
});
