/**
 * Cohorts in a real browser (Debian's chromium through playwright-core), against the real server:
 * a tutor creates a cohort and assigns a scenario on the cohort pages; a learner joins it from the
 * local rehearsal page, giving their name, and finds the assignment first in their picker; the tutor
 * then sees who has done it, opens the cohort's analytics (charts drawn on the server) and a
 * learner's portfolio, and prints it to PDF. axe-core checks every tutor page on the way.
 *
 * `SCREENSHOTS=1 npx vitest run test/cohort-browser.test.ts` also saves the README's screenshots in docs/.
 */
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDayOf } from '../engine/assignment-progress.ts';
import { axeViolations, describeViolations } from './axe-check.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { launchChromium } from './chromium.ts';
import { addTutor, PASSWORD } from './review-fixtures.ts';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const DOCS = path.join(import.meta.dirname, '..', 'docs');

let bot: RunningBot;
let browser: Browser;

beforeAll(async () => {
  bot = await startBotServer();
  await addTutor(bot.state, 'ann@example.org', { name: 'Ann Tutor' });
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(describeViolations(await axeViolations(page)), what).toEqual([]);
}

/** Sends a line from the local page's message box. */
async function say(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox').last();
  await input.fill(text);
  await input.press('Enter');
}

describe('a cohort in the browser', () => {
  let tutor: Page;
  let joinCode: string;

  it('is created and given an assignment by the tutor; a learner joins from the bot and finds it first in the picker', async () => {
    // The review pages allow no scripts at all; axe is injected, so the check needs the CSP set aside.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    tutor = await context.newPage();
    const problems: string[] = [];
    tutor.on('pageerror', (error) => problems.push(error.message));
    await tutor.goto(`${bot.url}/review/cohorts`);
    await tutor.getByLabel('Email').fill('ann@example.org');
    await tutor.getByLabel('Password').fill(PASSWORD);
    await tutor.getByRole('button', { name: 'Sign in' }).click();
    await tutor.getByRole('heading', { name: 'Cohorts', level: 1 }).waitFor();
    await expectAccessible(tutor, 'cohorts');

    await tutor.getByLabel('Name', { exact: true }).fill('CS17 Tuesday group');
    await tutor.getByLabel('Unit (optional)').selectOption('CS17');
    await tutor.getByRole('button', { name: 'Create cohort' }).click();
    await tutor.getByRole('heading', { name: 'CS17 Tuesday group', level: 1 }).waitFor();
    joinCode = (await tutor.locator('.join-code-big').textContent())!.trim();
    expect(joinCode).toMatch(/^[A-Z2-9]{6}$/);

    const due = ukDayOf(new Date(Date.now() + 3 * 24 * 60 * 60 * 1000));
    await tutor.getByLabel('Scenario', { exact: true }).selectOption('gym-cancellation-fee');
    await tutor.getByLabel('Due', { exact: true }).fill(due);
    await tutor.getByLabel('Assessment (no hints)').check();
    await tutor.getByRole('button', { name: 'Assign' }).click();
    await tutor.getByText('Assigned. Learners see it first').waitFor();
    await expectAccessible(tutor, 'cohort');

    const learner = await browser.newPage();
    learner.on('pageerror', (error) => problems.push(error.message));
    await learner.goto(`${bot.url}/`);
    await learner.getByText('Welcome to ServiceSim', { exact: false }).first().waitFor({ timeout: 20_000 });
    await say(learner, `join ${joinCode.toLowerCase()}`);
    await learner.getByText('What name should your tutor see', { exact: false }).first().waitFor({ timeout: 20_000 });
    await say(learner, 'Jo Bloggs');
    await learner.getByText('You have joined CS17 Tuesday group', { exact: false }).first().waitFor({ timeout: 20_000 });
    await say(learner, 'scenarios');
    const card = learner.locator('.ac-adaptiveCard').filter({ hasText: 'Assigned to you' }).last();
    await card.waitFor({ timeout: 20_000 });
    // The assignment comes first, with its due date, above every scenario.
    const assigned = card.locator('.ac-container').filter({ hasText: 'gym-cancellation-fee' }).first();
    await expect(assigned.textContent()).resolves.toMatch(/Due \w{3} \d{1,2} \w{3} \d{4} · assessment · CS17 Tuesday group/);
    await assigned.getByRole('button', { name: 'Start' }).click();
    await learner.getByText('Assessment mode', { exact: false }).first().waitFor({ timeout: 20_000 });
    const botBubbles = () => learner.locator('.webchat__bubble:not(.webchat__bubble--from-user)').count();
    const before = await botBubbles();
    await say(learner, "I'm sorry to hear you're moving. Can you tell me a bit about why you want to cancel?");
    await expect.poll(botBubbles, { timeout: 20_000 }).toBeGreaterThan(before);
    await say(learner, 'end');
    await learner.getByText('Debrief:', { exact: false }).first().waitFor({ timeout: 20_000 });

    await tutor.reload();
    await tutor.getByRole('listitem').filter({ hasText: 'Jo Bloggs' }).first().waitFor();
    await expect(tutor.locator('.assignment').first().textContent()).resolves.toMatch(/1 of 1 done/);
    if (SCREENSHOTS) await tutor.screenshot({ path: path.join(DOCS, 'review-cohort.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);
});
