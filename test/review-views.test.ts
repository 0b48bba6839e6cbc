/**
 * The tutor's review pages as HTML (review/review-views.ts, review/views/), rendered from a rehearsal
 * played with the scripted customer and scored by the rules, then opened in Debian's chromium: what
 * anyone typed stays text, the scorer's evidence is marked exactly, the tutor's level shows with the
 * scorer's beside it, the forms carry the names and token the routes read, and axe finds nothing
 * serious under the pages' own content security policy.
 *
 * Set REVIEW_SCREENSHOTS=1 to save /tmp/review-*.png of the inbox and a reviewed rehearsal.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import { launchChromium } from './chromium.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleEvidence, type EvidenceRecord } from '../engine/evidence-record.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { RULES_SCORER_IDENTITY } from '../engine/rules-scorer.ts';
import { scoreFlagsOf } from '../engine/score-flags.ts';
import { SCRIPTED_CUSTOMER_IDENTITY } from '../engine/scripted-customer.ts';
import { currentReview, levelsAfterReview, type TutorReview } from '../engine/tutor-review.ts';
import type { ReviewStatus } from '../store/evidence-store.ts';
import type { InboxPage, InboxRow, PageTutor, RehearsalPage } from '../review/page-models.ts';
import { rehearsalPageModel } from '../review/rehearsal-page-model.ts';
import { REVIEW_CSS_FILE, renderInbox, renderProblem, renderRehearsal, renderSignIn } from '../review/review-views.ts';
import { axeViolations, describeViolations } from './axe-check.ts';
import { play } from './play-rehearsal.ts';

/** The policy the review routes send their pages with (review/page-response.ts): no script at all, styles from the stylesheet only. */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CSRF = 'csrf-token-"1"';

// ---------------------------------------------------------------------------------------------
// Models as the routes build them, from a rehearsal really played and scored.

const library = await loadLibrary();
const washingMachine = library.scenarios.find((s) => s.id === 'faulty-washing-machine')!;
const SCRIPT_LINE = '<script>alert(1)</script> Are the hoses at the back dry?';
const LINES = [
  "I'm so sorry, that sounds really stressful with towels everywhere. When does it leak?",
  SCRIPT_LINE,
  "I'll give you £100 for your trouble, and a replacement on Saturday.",
  'I will ring you back by 5pm today with the delivery slot.',
];

const tutor: PageTutor = { email: 'priya@college.example', name: 'Priya Shah', role: 'tutor' };

async function scoredRecord(): Promise<EvidenceRecord> {
  const r = await play(washingMachine, 'review-views');
  for (const line of LINES) await r.say(line);
  const record = assembleEvidence({
    id: 'rec-1',
    learner: { id: 'teams/learner-1', name: 'Jo <b>Bloggs</b>' },
    scenario: { id: washingMachine.id, title: washingMachine.title },
    mode: 'assessment',
    startedAt: '2026-11-29T13:58:00.000Z',
    endedAt: '2026-11-29T15:05:00+01:00',
    endReason: 'learner-ended',
    opening: r.rehearsal.opening,
    exchanges: r.exchanges,
    report: await r.score(),
    customer: SCRIPTED_CUSTOMER_IDENTITY,
    scorer: RULES_SCORER_IDENTITY,
  });
  return { ...record, reflection: "I promised £100 I couldn't give. Next time: ask the duty manager first." };
}

const record = await scoredRecord();

const firstReview: TutorReview = {
  id: 'review-a',
  recordId: record.id,
  reviewer: { id: 'tutor-sam', name: 'Sam "Mac" <McKay>' },
  at: '2026-11-30T09:00:00.000Z',
  dimensions: {},
  comments: [],
  feedback: 'A good start.',
  verdict: 'meets-standard',
};
const secondReview: TutorReview = {
  id: 'review-b',
  recordId: record.id,
  reviewer: { id: 'tutor-priya', name: 'Priya Shah' },
  at: '2026-12-01T10:30:00.000Z',
  dimensions: { listening: { level: 2, reason: 'You reflected the towels and the wet washing back: specific, not generic.' } },
  comments: [{ turn: 6, text: 'This is where the £100 <slipped> out.' }],
  feedback: 'Strong listening. Ask the duty manager before promising money.',
  verdict: 'needs-another-attempt',
  nextScenario: 'gym-cancellation-fee',
};

const scenarioChoices = library.scenarios.map((s) => ({ id: s.id, title: s.title }));

/** The rehearsal page's model as the route builds it (review/rehearsal-page-model.ts). */
function rehearsalPage(
  of: EvidenceRecord,
  reviews: TutorReview[] = [],
  extra: Pick<RehearsalPage, 'problems' | 'notice'> = {},
): RehearsalPage {
  return rehearsalPageModel(of, reviews, library, { tutor, csrf: CSRF, ...extra });
}

function inboxRow(of: EvidenceRecord, reviews: TutorReview[], status: ReviewStatus): InboxRow {
  const levels = levelsAfterReview(of, currentReview(reviews));
  return {
    id: of.id,
    learner: of.learner,
    scenario: { id: of.scenario.id, title: of.scenario.title },
    mode: of.mode,
    endedAt: of.endedAt,
    levels: washingMachine.dimensions.map((id) => ({
      dimension: id,
      name: library.dimensions.find((d) => d.id === id)!.name,
      ...levels[id]!,
    })),
    flags: scoreFlagsOf(of.report),
    status,
  };
}

/** Another learner's rehearsal of the same scenario, one dimension given no occasion. */
const quieter: EvidenceRecord = {
  ...record,
  id: 'rec 2/ü',
  learner: { id: 'teams/learner-2' },
  mode: 'practice',
  endedAt: '2026-11-28T08:07:00.000Z',
  report: {
    ...record.report,
    breaches: [],
    dimensions: { ...record.report.dimensions, informing: { ...record.report.dimensions.informing!, level: null } },
  },
};

const inboxPage = (extra: Partial<InboxPage> = {}): InboxPage => ({
  tutor,
  csrf: CSRF,
  filters: {
    learner: 'teams/learner-1',
    scenario: washingMachine.id,
    mode: 'assessment',
    status: 'needs-another-attempt',
    flag: 'authority-breach',
    from: '2026-11-01',
    to: '2026-11-30',
  },
  rows: [inboxRow(record, [firstReview, secondReview], 'needs-another-attempt'), inboxRow(quieter, [], 'unreviewed')],
  total: 12,
  choices: {
    learners: [{ id: 'teams/learner-1', name: 'Jo <b>Bloggs</b>' }, { id: 'teams/learner-2' }],
    scenarios: scenarioChoices,
  },
  nextPage: 'learner=teams%2Flearner-1&cursor=abc',
  firstPage: 'learner=teams%2Flearner-1',
  ...extra,
});

const problems = [
  { field: 'feedback', message: 'the feedback must not be empty' },
  { field: 'reason.listening', message: 'say why you changed the level' },
  { field: 'comments.0.turn', message: 'the transcript has 9 turns, not 40' },
  { field: 'somewhere', message: 'something else <went> wrong' },
];

/** Every page the tests open, by name. */
const pages = {
  'sign-in': () => renderSignIn({ csrf: CSRF, next: '/review?mode=practice&flag=very-low', message: 'Wrong email or password' }),
  'sign-in with OpenID Connect': () =>
    renderSignIn({ csrf: CSRF, next: '/review?mode=practice', oidc: { providerName: 'Calder College' } }),
  'inbox with rows': () => renderInbox(inboxPage()),
  'inbox, empty': () => renderInbox(inboxPage({ rows: [], total: 0, nextPage: undefined, firstPage: undefined })),
  'rehearsal, not reviewed': () => renderRehearsal(rehearsalPage(record)),
  'rehearsal, reviewed twice': () =>
    renderRehearsal(
      rehearsalPage(record, [firstReview, secondReview], { notice: 'Review signed; the learner has been sent your feedback.' }),
    ),
  'rehearsal with problems': () => renderRehearsal(rehearsalPage(record, [firstReview], { problems })),
  'not found': () => renderProblem(404, 'No such rehearsal', 'It may have been deleted <or> never existed.', tutor, CSRF),
  'signed out, forbidden': () => renderProblem(403, 'Not allowed', 'Sign in as a tutor to review rehearsals.'),
} satisfies Record<string, () => string>;
type PageName = keyof typeof pages;

// ---------------------------------------------------------------------------------------------
// A local server for the pages and their stylesheet, under the routes' policy; and chromium.

let server: Server;
let base: string;
let browser: Browser;
const served = new Map<string, string>();

beforeAll(async () => {
  const css = await readFile(REVIEW_CSS_FILE, 'utf8');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/review/assets/review.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(css);
      return;
    }
    const html = served.get(url.pathname);
    if (html === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

interface Opened {
  page: Page;
  /** What the browser refused under the content security policy. */
  refused: string[];
  close(): Promise<void>;
}

let servedCount = 0;
/** One page per policy mode, reused: opening a page costs chromium far more than navigating one. */
const reused = new Map<boolean, Promise<Page>>();

/** Opens HTML from the local server; `bypassCSP` only where axe's script must run. */
async function open(html: string, options: { bypassCSP?: boolean; width?: number } = {}): Promise<Opened> {
  const path = `/page/${++servedCount}`;
  served.set(path, html);
  const bypassCSP = options.bypassCSP ?? false;
  if (!reused.has(bypassCSP))
    reused.set(
      bypassCSP,
      browser.newContext({ bypassCSP }).then((context) => context.newPage()),
    );
  const page = await reused.get(bypassCSP)!;
  // A missing element fails in seconds, not at the test's timeout.
  page.setDefaultTimeout(5_000);
  await page.setViewportSize({ width: options.width ?? 1280, height: 900 });
  const refused: string[] = [];
  const listener = (message: ConsoleMessage) => {
    if (message.type() === 'error') refused.push(message.text());
  };
  page.on('console', listener);
  await page.goto(`${base}${path}`);
  return {
    page,
    refused,
    close: async () => {
      page.off('console', listener);
      await page.emulateMedia({ media: 'screen' });
      served.delete(path);
    },
  };
}

const textsOf = (within: Page | Locator, selector: string) => within.locator(selector).allTextContents();

// ---------------------------------------------------------------------------------------------

describe('what anyone typed stays text', () => {
  it("shows a learner's <script> line as text, never as a tag, and escapes names in text and attributes", async () => {
    const html = pages['rehearsal, reviewed twice']();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Jo &lt;b&gt;Bloggs&lt;/b&gt;');
    expect(html).toContain('Sam &quot;Mac&quot; &lt;McKay&gt;');
    expect(html).toContain(`value="csrf-token-&quot;1&quot;"`);
    expect(renderInbox(inboxPage())).not.toContain('<b>Bloggs');

    const { page, close } = await open(html);
    try {
      const learnerTurn = record.turns.findIndex((t) => t.text === SCRIPT_LINE) + 1;
      expect(learnerTurn).toBeGreaterThan(0);
      await expect(page.locator(`#turn-${learnerTurn} .turn-text`).textContent()).resolves.toBe(SCRIPT_LINE);
      await expect(page.locator('script').count()).resolves.toBe(0);
      await expect(page.locator('b').count()).resolves.toBe(0);
      await expect(page.locator('#review-1 dd').first().textContent()).resolves.toContain('Sam "Mac" <McKay>');
    } finally {
      await close();
    }
  });

  it('writes no inline style, script or event handler the policy would refuse, and the stylesheet applies', async () => {
    for (const name of Object.keys(pages) as PageName[]) {
      const html = pages[name]();
      expect(html, name).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
      const { page, refused, close } = await open(html);
      try {
        // The layout's header is styled from the stylesheet, served from /review/assets/review.css.
        await expect(page.locator('.site-header').evaluate((e) => getComputedStyle(e).borderBottomStyle)).resolves.toBe('solid');
        expect(refused, name).toEqual([]);
      } finally {
        await close();
      }
    }
  });
});

describe('the transcript', () => {
  it("marks exactly the scorer's quoted words, with the reasons, and keeps every turn's text whole", async () => {
    const model = rehearsalPage(record);
    const { page, close } = await open(renderRehearsal(model));
    try {
      for (const turn of model.turns) {
        await expect(page.locator(`#turn-${turn.number} .turn-text`).textContent()).resolves.toBe(turn.text);
        const marks = page.locator(`#turn-${turn.number} mark`);
        await expect(marks.allTextContents()).resolves.toEqual(turn.highlights.map((h) => turn.text.slice(h.start, h.end)));
        await expect(marks.evaluateAll((ms) => ms.map((m) => m.getAttribute('title')))).resolves.toEqual(
          turn.highlights.map((h) => h.reason),
        );
      }
      // The scorer's first learner reply: both of its quotes, nothing around them.
      await expect(textsOf(page, '#turn-2 mark')).resolves.toEqual([
        "I'm so sorry, that sounds really stressful with towels everywhere.",
        'When does it leak?',
      ]);
      await expect(page.locator(`#turn-4 mark`).textContent()).resolves.toBe(SCRIPT_LINE);
      // Every quote the scorer gave is marked somewhere in the transcript.
      const marked = new Set(await textsOf(page, '.transcript mark'));
      for (const d of model.dimensions) for (const e of d.evidence) expect(marked, e.quote).toContain(e.quote);
    } finally {
      await close();
    }
  });

  it('cuts at character offsets through markup, pound signs, emoji, the start and the end of a turn', async () => {
    const text = '£100? <b>Fine</b> 👍 & "done"';
    const model = rehearsalPage(record);
    model.turns[1] = {
      number: 2,
      role: 'learner',
      text,
      highlights: [
        { start: 0, end: 4, reason: 'money' },
        { start: 6, end: 17, reason: 'markup <b>' },
        { start: 17, end: 18, reason: 'adjacent space' },
        { start: 18, end: 20, reason: 'emoji' },
        { start: 23, end: text.length, reason: 'the end' },
      ],
    };
    const html = renderRehearsal(model);
    expect(html).toContain('<mark title="markup &lt;b&gt;">&lt;b&gt;Fine&lt;/b&gt;</mark>');
    const { page, close } = await open(html);
    try {
      await expect(page.locator('#turn-2 .turn-text').textContent()).resolves.toBe(text);
      await expect(textsOf(page, '#turn-2 mark')).resolves.toEqual(['£100', '<b>Fine</b>', ' ', '👍', '"done"']);
    } finally {
      await close();
    }
  });

  it("labels who speaks, the customer's mood in words, and a breach on its turn", async () => {
    const model = rehearsalPage(record);
    const { page, close } = await open(renderRehearsal(model));
    try {
      await expect(page.locator('#turn-1 .turn-role').textContent()).resolves.toBe('Customer');
      await expect(page.locator('#turn-2 .turn-role').textContent()).resolves.toBe('Learner');
      const moodOf3 = model.turns.find((t) => t.number === 3)!.mood!;
      // The scenario format's scale: 0 calm, 1 uneasy, 2 annoyed, 3 angry, 4 furious.
      const word = ['calm', 'uneasy', 'annoyed', 'angry', 'furious'][moodOf3];
      await expect(page.locator('#turn-3 .turn-mood').textContent()).resolves.toBe(`mood after: ${word} (${moodOf3} of 4)`);
      await expect(page.locator('#turn-1 .turn-mood').count()).resolves.toBe(0);
      const breach = record.report.breaches[0]!;
      await expect(page.locator(`#turn-${breach.turn} .breach`).textContent()).resolves.toBe(`Beyond authority: ${breach.rule}`);
      await expect(page.locator('.transcript .breach').count()).resolves.toBe(1);
    } finally {
      await close();
    }
  });
});

describe('levels and reviews', () => {
  it("shows the tutor's level as the level, with the scorer's struck through beside it and the tutor's reason", async () => {
    const { page, close } = await open(pages['rehearsal, reviewed twice']());
    try {
      const listening = page.locator('section.dimension', { has: page.locator('h3', { hasText: 'Listening and understanding' }) });
      await expect(listening.locator('.level-big').textContent()).resolves.toBe('2 of 3');
      await expect(listening.locator('.level-line').textContent()).resolves.toMatch(
        /Tutor's level:\s*2 — Competent\s*\(scorer's level: 1 — Emerging\)/,
      );
      await expect(listening.locator('.scorer-level del').textContent()).resolves.toBe('1 — Emerging');
      await expect(listening.locator('.tutor-reason').textContent()).resolves.toContain('specific, not generic');
      // The rubric's descriptor of the level that counts, and the criteria.
      await expect(listening.locator('.descriptor').textContent()).resolves.toContain('Acknowledges the specific problem');
      await expect(listening.locator('.criteria').textContent()).resolves.toContain('CS17 1.2');
      // A dimension the tutor agreed with shows the scorer's level alone.
      const questioning = page.locator('section.dimension', { has: page.locator('h3', { hasText: 'Questioning' }) });
      await expect(questioning.locator('del').count()).resolves.toBe(0);
      await expect(questioning.locator('.level-line').textContent()).resolves.toMatch(/Level:\s*2 — Competent/);
    } finally {
      await close();
    }
    const inbox = await open(pages['inbox with rows']());
    try {
      const badge = inbox.page.locator('tbody tr').first().locator('.level', { hasText: 'listening' });
      await expect(badge.locator('del').textContent()).resolves.toBe("scorer's level 1");
      await expect(badge.textContent()).resolves.toMatch(/listening\s*scorer's level 1, tutor's level\s*2$/);
      await expect(badge.getAttribute('class')).resolves.toContain('level-2');
    } finally {
      await inbox.close();
    }
  });

  it('lists every review oldest first, the latest current and the earlier superseded', async () => {
    const { page, close } = await open(pages['rehearsal, reviewed twice']());
    try {
      await expect(textsOf(page, '.reviews h3')).resolves.toEqual(['Review 1 of 2 superseded', 'Review 2 of 2 current']);
      await expect(page.locator('#review-1').getAttribute('class')).resolves.toContain('review-superseded');
      await expect(page.locator('#review-2').getAttribute('class')).resolves.toContain('review-current');
      const current = await page.locator('#review-2').textContent();
      expect(current).toContain('Needs another attempt');
      expect(current).toContain('1 Dec 2026 10:30');
      expect(current).toContain("Listening and understanding: 2 — Competent (the scorer's: 1 — Emerging). Reason: You reflected");
      expect(current).toContain('Turn 6: This is where the £100 <slipped> out.');
      expect(current).toContain(library.scenarios.find((s) => s.id === 'gym-cancellation-fee')!.title);
      await expect(page.locator('#review-2 a[href="#turn-6"]').count()).resolves.toBe(1);
      await expect(page.locator('[role=status]').textContent()).resolves.toContain('Review signed');
    } finally {
      await close();
    }
    const unreviewed = await open(pages['rehearsal, not reviewed']());
    try {
      await expect(unreviewed.page.locator('#reviews + p').textContent()).resolves.toBe('Not reviewed yet.');
      await expect(unreviewed.page.locator('.reviews').count()).resolves.toBe(0);
    } finally {
      await unreviewed.close();
    }
  });

  it('shows the commitments, the breaches, the reflection, and a note of turns lost before scoring', async () => {
    const lost = { ...record, reflection: undefined, missingTurns: [4] };
    const { page, close } = await open(renderRehearsal(rehearsalPage(lost)));
    try {
      const promises = await page.locator('section[aria-labelledby=promises]').textContent();
      for (const c of record.report.commitments) expect(promises).toContain(c.what);
      expect(promises).toContain('goodwill payment of £100');
      await expect(page.locator('#reflection + p').textContent()).resolves.toBe('No reflection.');
      await expect(page.locator('section[aria-labelledby=transcript] .note').textContent()).resolves.toContain('turn 4.');
      await expect(page.locator('#turn-4').getAttribute('class')).resolves.toContain('turn-missing');
    } finally {
      await close();
    }
    expect(pages['rehearsal, not reviewed']()).toContain('Next time: ask the duty manager first.');
  });
});

describe('the forms', () => {
  it('posts the CSRF token in every form that posts, and keeps it out of the GET filter form', async () => {
    for (const name of Object.keys(pages) as PageName[]) {
      const { page, close } = await open(pages[name]());
      try {
        const posting = page.locator('form[method=post]');
        const tokens = await posting.evaluateAll((forms) =>
          forms.map((f) => (f.querySelector('input[type=hidden][name=_csrf]') as HTMLInputElement | null)?.value),
        );
        expect(
          tokens.every((t) => t === CSRF),
          `${name}: ${JSON.stringify(tokens)}`,
        ).toBe(true);
        await expect(page.locator('form[method=get] [name=_csrf]').count()).resolves.toBe(0);
        // Every page a signed-in tutor sees with a token offers to sign out.
        if (name !== 'signed out, forbidden' && !name.startsWith('sign-in'))
          await expect(page.locator('form[action="/review/sign-out"] button').textContent()).resolves.toBe('Sign out');
      } finally {
        await close();
      }
    }
  });

  it('keeps the current filters selected, with "Any" first in every select', async () => {
    const { page, close } = await open(pages['inbox with rows']());
    try {
      const form = page.locator('form[method=get][action="/review"]');
      const values = await form.evaluate((f) => Object.fromEntries(new FormData(f as HTMLFormElement)));
      expect(values).toEqual({
        learner: 'teams/learner-1',
        scenario: 'faulty-washing-machine',
        mode: 'assessment',
        status: 'needs-another-attempt',
        flag: 'authority-breach',
        from: '2026-11-01',
        to: '2026-11-30',
      });
      for (const name of ['learner', 'scenario', 'mode', 'status', 'flag'])
        await expect(
          form
            .locator(`select[name=${name}] option`)
            .first()
            .evaluate((o) => [(o as HTMLOptionElement).value, o.textContent]),
        ).resolves.toEqual(['', 'Any']);
      await expect(textsOf(page, 'select[name=flag] option')).resolves.toEqual([
        'Any',
        'Beyond authority',
        'Very low scores',
        'Very high scores',
        'Judges disagree',
      ]);
      await expect(textsOf(page, 'select[name=learner] option')).resolves.toEqual(['Any', 'Jo <b>Bloggs</b>', 'teams/learner-2']);
      await expect(page.getByRole('link', { name: 'Clear', exact: true }).getAttribute('href')).resolves.toBe('/review');
    } finally {
      await close();
    }
    // A learner no longer among the choices is still shown as the filter applied.
    const gone = await open(renderInbox(inboxPage({ filters: { learner: 'teams/left-the-cohort' } })));
    try {
      await expect(gone.page.locator('#filter-learner').inputValue()).resolves.toBe('teams/left-the-cohort');
    } finally {
      await gone.close();
    }
    const unfiltered = await open(renderInbox(inboxPage({ filters: {} })));
    try {
      const values = await unfiltered.page
        .locator('form[method=get]')
        .evaluate((f) => Object.fromEntries(new FormData(f as HTMLFormElement)));
      expect(Object.values(values).every((v) => v === '')).toBe(true);
    } finally {
      await unfiltered.close();
    }
  });

  it('names every field of the review form as the route reads it', async () => {
    const model = rehearsalPage(record, [firstReview, secondReview]);
    const { page, close } = await open(renderRehearsal(model));
    try {
      const form = page.locator(`form[method=post][action="/review/rehearsals/rec-1/reviews"]`);
      for (const d of model.dimensions) {
        const fieldset = form.locator('fieldset', { has: page.locator('legend', { hasText: d.name }) });
        const select = fieldset.locator(`select[name="level.${d.id}"]`);
        await expect(select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).resolves.toEqual([
          'agree',
          '0',
          '1',
          '2',
          '3',
        ]);
        // A second review starts from the current one: its changed levels, else agreement.
        await expect(select.inputValue()).resolves.toBe(d.reviewed.tutor === undefined ? 'agree' : String(d.reviewed.tutor));
        await expect(select.locator('option').first().textContent()).resolves.toBe(`Agree with the scorer (${d.reviewed.scorer})`);
        await expect(fieldset.getByLabel('Reason (required when you change the level)').getAttribute('name')).resolves.toBe(
          `reason.${d.id}`,
        );
      }
      await expect(form.locator('select[name="level.listening"] option').nth(3).textContent()).resolves.toBe('2 — Competent');
      const comments = await form.locator('details textarea').evaluateAll((ts) => ts.map((t) => t.getAttribute('name')));
      expect(comments).toEqual(model.turns.map((t) => `comment.${t.number}`));
      await expect(form.locator('details summary').textContent()).resolves.toBe('Comment on turns');
      await expect(form.getByLabel('Feedback to the learner').getAttribute('name')).resolves.toBe('feedback');
      await expect(form.getByLabel('Feedback to the learner').getAttribute('required')).resolves.toBe('');
      await expect(form.getByLabel('Meets the standard').getAttribute('value')).resolves.toBe('meets-standard');
      await expect(form.getByLabel('Needs another attempt').getAttribute('value')).resolves.toBe('needs-another-attempt');
      const next = form.locator('select[name=nextScenario] option');
      await expect(next.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).resolves.toEqual([
        '',
        ...scenarioChoices.map((s) => s.id),
      ]);
      await expect(next.first().textContent()).resolves.toBe('None');
      await expect(form.getByRole('button', { name: 'Sign off review' }).count()).resolves.toBe(1);

      // Posted untouched, the form sends what the route reads as "agreed with everything".
      const posted = await form.evaluate((f) => [...new FormData(f as HTMLFormElement).entries()].map(([k]) => k));
      expect(posted).toContain('_csrf');
      expect(posted.filter((k) => k.startsWith('level.'))).toEqual(model.dimensions.map((d) => `level.${d.id}`));
    } finally {
      await close();
    }
  });

  it("lists a failed submission's problems, each field linked to its input where the form has one", async () => {
    const { page, close } = await open(pages['rehearsal with problems']());
    try {
      if (process.env.REVIEW_SCREENSHOTS) await page.screenshot({ path: '/tmp/review-problems.png' });
      const alert = page.getByRole('alert');
      // Each field as the tutor knows it, not by its form name.
      const labels = ['Feedback to the learner', 'Listening and understanding: reason', 'Comment on turns', 'somewhere'];
      await expect(alert.locator('li').allTextContents()).resolves.toEqual(problems.map((p, i) => `${labels[i]}: ${p.message}`));
      const hrefs = await alert.locator('li').evaluateAll((lis) => lis.map((li) => li.querySelector('a')?.getAttribute('href') ?? null));
      expect(hrefs).toEqual(['#feedback', '#reason-listening', '#comments', null]);
      for (const href of hrefs.filter((h) => h !== null)) await expect(page.locator(href!).count()).resolves.toBe(1);
      // A problem with a comment opens the comments, so the field it names can be seen.
      await expect(page.locator('details#comments').getAttribute('open')).resolves.toBe('');
    } finally {
      await close();
    }
    expect(pages['rehearsal, not reviewed']()).not.toMatch(/role="alert"|<details[^>]* open/);
  });

  it("signs in by password, or only through the organisation's provider when OpenID Connect is set", async () => {
    const password = await open(pages['sign-in']());
    try {
      const form = password.page.locator('form[method=post][action="/review/sign-in"]');
      const fields = await form.evaluate((f) => Object.fromEntries(new FormData(f as HTMLFormElement)));
      expect(fields).toEqual({ _csrf: CSRF, next: '/review?mode=practice&flag=very-low', email: '', password: '' });
      await expect(password.page.getByRole('alert').textContent()).resolves.toBe('Wrong email or password');
    } finally {
      await password.close();
    }
    const oidc = await open(pages['sign-in with OpenID Connect']());
    try {
      const link = oidc.page.getByRole('link', { name: 'Sign in with Calder College' });
      await expect(link.getAttribute('href')).resolves.toBe('/review/sign-in/oidc?next=%2Freview%3Fmode%3Dpractice');
      await expect(oidc.page.locator('input[type=password], form[action="/review/sign-in"]').count()).resolves.toBe(0);
    } finally {
      await oidc.close();
    }
  });
});

describe('the inbox', () => {
  it('shows each rehearsal with its link, UTC date, levels at a glance, flags in words and status; the total and the paging', async () => {
    const { page, close } = await open(pages['inbox with rows']());
    try {
      const rows = page.locator('tbody tr');
      await expect(rows.count()).resolves.toBe(2);
      const first = rows.nth(0);
      // 15:05 at +01:00 is 14:05 UTC.
      await expect(first.locator('time').textContent()).resolves.toBe('29 Nov 2026 14:05 UTC');
      const link = first.getByRole('link');
      await expect(link.getAttribute('href')).resolves.toBe('/review/rehearsals/rec-1');
      await expect(link.textContent()).resolves.toBe(`${washingMachine.title}, Jo <b>Bloggs</b>, 29 Nov 2026 14:05 UTC`);
      await expect(textsOf(first, '.flag')).resolves.toEqual(['Beyond authority', 'Very low scores']);
      await expect(first.locator('.status').textContent()).resolves.toBe('Needs another attempt');
      const second = rows.nth(1);
      await expect(second.getByRole('link').getAttribute('href')).resolves.toBe('/review/rehearsals/rec%202%2F%C3%BC');
      await expect(second.locator('.level', { hasText: 'informing' }).textContent()).resolves.toMatch(/informing\s*–no occasion$/);
      await expect(second.locator('.level', { hasText: 'informing' }).getAttribute('class')).resolves.toContain('level-none');
      await expect(second.locator('.status').textContent()).resolves.toBe('Not reviewed');
      await expect(page.locator('.total').textContent()).resolves.toBe('12 rehearsals match these filters');
      await expect(page.getByRole('link', { name: 'Next page' }).getAttribute('href')).resolves.toBe(
        '/review?learner=teams%2Flearner-1&cursor=abc',
      );
      await expect(page.getByRole('link', { name: 'First page' }).getAttribute('href')).resolves.toBe('/review?learner=teams%2Flearner-1');
      if (process.env.REVIEW_SCREENSHOTS) {
        await page.screenshot({ path: '/tmp/review-inbox.png', fullPage: true });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: '/tmp/review-inbox-phone.png', fullPage: true });
      }
    } finally {
      await close();
    }
  });

  it('says so when nothing matches, with no table and no paging', async () => {
    const html = renderInbox(inboxPage({ rows: [], total: 0, filters: {}, nextPage: undefined, firstPage: undefined }));
    expect(html).toContain('No rehearsals match these filters.');
    expect(html).toContain('0 rehearsals');
    expect(html).not.toMatch(/<table|Next page|First page/);
    expect(renderInbox(inboxPage({ total: 1, filters: {} }))).toContain('>1 rehearsal<');
  });
});

describe('accessibility and print', () => {
  for (const name of Object.keys(pages) as PageName[])
    it(`${name}: axe finds no serious or critical violation, wide or on a phone`, async () => {
      for (const width of [1280, 390]) {
        const { page, close } = await open(pages[name](), { bypassCSP: true, width });
        try {
          expect(describeViolations(await axeViolations(page)).join('\n'), `${name} at ${width}px`).toBe('');
        } finally {
          await close();
        }
      }
    });

  it('prints the record without the forms or the header buttons', async () => {
    const { page, close } = await open(pages['rehearsal, reviewed twice']());
    try {
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('.review-form').isVisible()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: 'Sign out' }).isVisible()).resolves.toBe(false);
      await expect(page.locator('.transcript').isVisible()).resolves.toBe(true);
      await expect(page.locator('#review-2').isVisible()).resolves.toBe(true);
      await page.emulateMedia({ media: 'screen' });
      if (process.env.REVIEW_SCREENSHOTS) {
        await page.screenshot({ path: '/tmp/review-rehearsal.png', fullPage: true });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: '/tmp/review-rehearsal-phone.png', fullPage: true });
      }
    } finally {
      await close();
    }
  });
});
