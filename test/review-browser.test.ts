/**
 * A tutor's review from start to finish in a real browser (Debian's chromium through playwright-
 * core), against the real server: sign in, filter the inbox, open a rehearsal, change a level with a
 * reason, comment on a turn, sign off; then the learner's local page receives the message and their
 * history shows the feedback. axe-core checks every page on the way.
 *
 * `SCREENSHOTS=1 npx vitest run test/review-browser.test.ts` also saves the README's screenshots in docs/.
 */
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './axe-check.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { addTutor, localLearner, PASSWORD, rehearseAsLocalPage } from './review-fixtures.ts';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const DOCS = path.join(import.meta.dirname, '..', 'docs');

let bot: RunningBot;
let browser: Browser;
let recordId: string;

beforeAll(async () => {
  bot = await startBotServer();
  await addTutor(bot.state, 'ann@example.org', { role: 'admin', name: 'Ann Tutor' });
  // Two learners; the one reviewed here rehearses as the page below will speak for them.
  await rehearseAsLocalPage(bot.url, 'other-learner', ['Hello. What seems to be the problem?']);
  recordId = await rehearseAsLocalPage(bot.url, 'reviewed-learner', [
    "I'm so sorry about the water on your floor, that must have been a shock. When did you first notice the leak?",
    'I can book an engineer for Thursday morning at no charge, or arrange a replacement machine next week. The visit is sooner; the replacement takes longer but you would have a new machine. Which would suit you?',
  ]);
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

describe('a tutor reviewing in the browser', () => {
  it('signs in, filters, reviews and signs off; the learner gets the message and sees the feedback in history', async () => {
    // The review pages allow no scripts at all; axe is injected, so the check needs the CSP set aside.
    const tutor = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await tutor.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${bot.url}/review`);
    await expect.poll(() => page.url()).toContain('/review/sign-in');
    await expectAccessible(page, 'sign-in');
    await page.getByLabel('Email').fill('ann@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('heading', { name: /rehearsals/i })
      .first()
      .waitFor();
    await expect(page.locator('tbody tr').count()).resolves.toBe(2);
    await expectAccessible(page, 'inbox');

    await page.locator('select[name="learner"]').selectOption(localLearner('reviewed-learner'));
    await page.locator('select[name="status"]').selectOption('unreviewed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('status=unreviewed');
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, 'review-inbox.png'), fullPage: true });

    await page.locator(`a[href="/review/rehearsals/${recordId}"]`).first().click();
    await page.waitForURL(`**/review/rehearsals/${recordId}`);
    await expectAccessible(page, 'rehearsal');
    // The scorer's evidence is marked on the quoted words of the turn.
    await expect(page.locator('#turn-2 mark').count()).resolves.toBeGreaterThan(0);

    const record = (await bot.evidence.get(recordId))!;
    const [dimension, score] = Object.entries(record.report.dimensions).find(([, d]) => d.level !== null)!;
    const tutorLevel = score.level === 3 ? 2 : 3;
    await page.locator(`select[name="level.${dimension}"]`).selectOption(String(tutorLevel));
    await page.locator(`textarea[name="reason.${dimension}"]`).fill('The learner named both options and their trade-off.');
    await page.getByText('Comment on turns').click();
    await page.locator('textarea[name="comment.2"]').fill('A warm, specific apology: keep doing this.');
    await page.getByLabel('Feedback to the learner').fill('Strong work. Next time, confirm the agreed visit before closing.');
    await page.getByLabel('Needs another attempt').check();
    await page.locator('select[name="nextScenario"]').selectOption('faulty-washing-machine');
    await page.getByRole('button', { name: 'Sign off review' }).click();
    await page.getByText('Review signed', { exact: false }).first().waitFor();
    await expect(page.getByText('A warm, specific apology: keep doing this.').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByText('The learner named both options and their trade-off.').count()).resolves.toBeGreaterThan(0);
    // The comment is pinned to its turn in the transcript, and the scorer's reasons are there in words.
    await expect(page.locator('#turn-2 .turn-comment').textContent()).resolves.toContain('A warm, specific apology');
    await expect(page.locator('#turn-2 .turn-reasons li').count()).resolves.toBeGreaterThan(0);
    await expectAccessible(page, 'reviewed rehearsal');
    if (SCREENSHOTS)
      await page.screenshot({
        path: path.join(DOCS, 'review-rehearsal.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height: 1700 },
      });
    expect(problems).toEqual([]);
    expect(await bot.evidence.reviewStatusOf(recordId)).toBe('needs-another-attempt');

    // The learner's local page, as this learner's browser keeps it.
    const learner = await browser.newContext();
    await learner.addInitScript(() => {
      localStorage.setItem('servicesim.user', 'learner-of-reviewed-learner');
      localStorage.setItem('servicesim.conversation', 'reviewed-learner');
    });
    const chat = await learner.newPage();
    await chat.goto(`${bot.url}/`);
    await chat.getByText('has reviewed your rehearsal', { exact: false }).first().waitFor({ timeout: 20_000 });
    await expect(chat.getByText('Strong work. Next time, confirm the agreed visit', { exact: false }).count()).resolves.toBeGreaterThan(0);
    const input = chat.getByRole('textbox').last();
    await input.fill('history');
    await input.press('Enter');
    await chat.getByText('needs another attempt', { exact: false }).nth(1).waitFor({ timeout: 20_000 });
    await input.fill('history 1');
    await input.press('Enter');
    await chat
      .getByText(/Your tutor.s review: needs another attempt/)
      .first()
      .waitFor({ timeout: 20_000 });
    await expect(chat.getByText('A warm, specific apology: keep doing this.', { exact: false }).count()).resolves.toBeGreaterThan(0);
    await learner.close();
    await tutor.close();
  }, 120_000);

  it('signing out ends the session: the inbox asks to sign in again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${bot.url}/review/sign-in`);
    await page.getByLabel('Email').fill('ann@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/review/sign-in');
    await page.goto(`${bot.url}/review`);
    await expect.poll(() => page.url()).toContain('/review/sign-in');
    await context.close();
  }, 60_000);
});
