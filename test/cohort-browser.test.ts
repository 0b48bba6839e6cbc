/**
 * Cohorts in a real browser (Debian's chromium through playwright-core), against the real server:
 * a tutor creates a cohort and assigns a scenario on the cohort pages; a learner joins it from the
 * local rehearsal page, giving their name, and finds the assignment first in their picker; the tutor
 * then sees who has done it, opens the cohort's analytics (charts drawn on the server) and a
 * learner's portfolio, and prints it to PDF. axe-core checks every tutor page on the way.
 *
 * `SCREENSHOTS=1 npx vitest run test/cohort-browser.test.ts` also saves the README's screenshots in docs/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDayOf } from '../engine/assignment-progress.ts';
import { expectAccessible } from './axe-check.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { launchChromium } from './chromium.ts';
import { sayAsLocalPage } from './local-page-message.ts';
import { addTutor, PASSWORD, rehearseAsLocalPage } from './review-fixtures.ts';
import { temporaryFolder } from './temporary-folder.ts';

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
const DOCS = path.join(import.meta.dirname, '..', 'docs');

let bot: RunningBot;
let browser: Browser;
let token: string;

beforeAll(async () => {
  bot = await startBotServer();
  token = (await addTutor(bot.state, 'ann@example.org', { name: 'Ann Tutor' })).token;
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

/** Sends a line from the local page's message box. */
async function say(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox').last();
  await input.fill(text);
  await input.press('Enter');
}

describe('a cohort in the browser', () => {
  let tutor: Page;
  let joinCode: string;
  let learnerId: string;

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
    // Their copy of their data: a link Web Chat shows as one (an absolute address; it opens no relative one).
    await say(learner, 'my data');
    const link = learner.locator('a[href*="/learner/data/"]').last();
    await link.waitFor({ timeout: 20_000 });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/learner\/data\/[A-Za-z0-9_-]{32}$/);
    const copy = await learner.request.get(href);
    expect(copy.headers()['content-disposition']).toBe('attachment; filename="servicesim-my-data.json"');
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
    learnerId = `webchat-local/${await learner.evaluate(() => localStorage.getItem('servicesim.user'))}`;

    await tutor.reload();
    await tutor.getByRole('listitem').filter({ hasText: 'Jo Bloggs' }).first().waitFor();
    await expect(tutor.locator('.assignment').first().textContent()).resolves.toMatch(/1 of 1 done/);
    if (SCREENSHOTS) await tutor.screenshot({ path: path.join(DOCS, 'review-cohort.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);

  it("shows the cohort's analytics as charts, the learner's portfolio (printed to PDF) and the scorer's calibration", async () => {
    // A second learner, with a weak first attempt and a better second: something failed, something improved.
    await sayAsLocalPage(bot.url, 'second-learner', `join ${joinCode}`);
    await rehearseAsLocalPage(bot.url, 'second-learner', ['You signed the contract, so you have to pay the fee.'], 'gym-cancellation-fee');
    await rehearseAsLocalPage(
      bot.url,
      'second-learner',
      [
        "I'm sorry to hear you're moving. When do you move, and is it a permanent move for work?",
        'I can waive the fee if you send proof of your new address, or transfer the membership to someone else. Which would suit you?',
      ],
      'gym-cancellation-fee',
    );
    // A tutor's review that changes one level: the portfolio shows it confirmed, calibration counts it.
    const [record] = await bot.evidence.listFor(learnerId);
    const [dimension, score] = Object.entries(record!.report.dimensions).find(([, d]) => d.level !== null)!;
    const signed = await fetch(`${bot.url}/api/rehearsals/${record!.id}/reviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        dimensions: { [dimension]: { level: score.level === 3 ? 2 : 3, reason: 'Weighed the options with the customer.' } },
        feedback: 'A calm, clear assessment.',
        verdict: 'meets-standard',
      }),
    });
    expect(signed.status).toBe(201);

    await tutor.getByRole('link', { name: 'Analytics' }).click();
    await tutor.getByRole('heading', { name: 'Levels per dimension' }).waitFor();
    // Every chart is drawn (a decoded image with a size) and described in words.
    const charts = await tutor
      .locator('figure.report-chart img')
      .evaluateAll((images) =>
        (images as HTMLImageElement[]).map((img) => ({ drawn: img.complete && img.naturalWidth > 0, alt: img.alt })),
      );
    expect(charts.length).toBeGreaterThanOrEqual(4);
    for (const chart of charts) {
      expect(chart.drawn).toBe(true);
      expect(chart.alt.length).toBeGreaterThan(20);
    }
    await expectAccessible(tutor, 'analytics');
    if (SCREENSHOTS) await tutor.screenshot({ path: path.join(DOCS, 'review-analytics.png'), fullPage: true });

    await tutor.goBack();
    await tutor.getByRole('link', { name: 'portfolio' }).first().click();
    await tutor.getByRole('heading', { name: 'Qualification portfolio' }).waitFor();
    const criteria = tutor.locator('tr.criterion');
    // CS17 has 15 assessment criteria (rubrics/units.yaml): every one is listed, and those without evidence say so.
    await expect(criteria.count()).resolves.toBe(15);
    await expect(tutor.locator('tr.criterion-none').count()).resolves.toBeGreaterThan(0);
    await expect(tutor.locator('tr.criterion-none').first().textContent()).resolves.toMatch(/No rehearsal yet|Not covered/);
    await expectAccessible(tutor, 'portfolio');
    if (SCREENSHOTS) await tutor.screenshot({ path: path.join(DOCS, 'review-portfolio.png'), fullPage: true });

    // Printed as the browser's "save as PDF" prints it, then read back with poppler.
    const folder = temporaryFolder('servicesim-portfolio-');
    const pdf = path.join(folder, 'portfolio.pdf');
    await tutor.pdf({ path: pdf, format: 'A4', printBackground: true });
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('Qualification portfolio');
    expect(text).toContain('Jo Bloggs');
    expect(text).toContain('CS17:');
    expect(text).toContain('Resolve customer');
    expect(text).toContain('Ann Tutor');
    // The transcript is an appendix: the learner's words are in the PDF, and nothing meant for the screen only.
    expect(text).toContain("sorry to hear you're moving");
    expect(text).not.toContain('Show unit');
    expect(text).not.toContain('Sign out');
    expect(text).not.toContain('ann@example.org');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', pdf, path.join(folder, 'page')]);
    const firstPage = path.join(folder, pages >= 10 ? 'page-01.png' : 'page-1.png');
    expect(existsSync(firstPage) && statSync(firstPage).size).toBeGreaterThan(2000);

    await tutor.getByRole('link', { name: 'Calibration' }).click();
    await tutor.getByRole('heading', { name: 'Per dimension' }).waitFor();
    await expect(tutor.locator('figure.report-chart img').count()).resolves.toBe(1);
    await expectAccessible(tutor, 'calibration');
    // The tutor's override, as a labelled transcript the scorer can be measured on.
    const zip = await tutor.request.get(`${bot.url}/api/export/labelled.zip`);
    expect(zip.status()).toBe(200);
    const files = await JSZip.loadAsync(await zip.body());
    const labelled = Object.keys(files.files).filter((name) => name.endsWith('.json'));
    expect(labelled).toEqual([`gym-cancellation-fee/${record!.id}.json`]);
    const transcript = JSON.parse(await files.file(labelled[0]!)!.async('string')) as { labels: { dimensions: Record<string, number> } };
    expect(transcript.labels.dimensions[dimension]).toBe(score.level === 3 ? 2 : 3);
  }, 120_000);
});
