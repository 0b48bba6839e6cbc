/**
 * Who may see and change what, through the real server: the review API and pages with no
 * credentials, a forged or revoked token, another tutor's learner, an ended session, a form without
 * its CSRF token; bad input named by field; reviews appended and superseding; cursor paging.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TutorDirectory } from '../store/tutor-directory.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { addTutor, localLearner, PASSWORD, rehearseAsLocalPage, signIn } from './review-fixtures.ts';

let bot: RunningBot;
let recordA: string;
let recordA2: string;
let recordB: string;
const tokens: Record<string, string> = {};

const LINES = [
  "I'm so sorry to hear that. Can you tell me when the leak started?",
  'I can arrange an engineer visit this week, or a replacement machine. Which would suit you better?',
];

beforeAll(async () => {
  bot = await startBotServer();
  recordA = await rehearseAsLocalPage(bot.url, 'api-a', LINES);
  recordA2 = await rehearseAsLocalPage(bot.url, 'api-a', LINES.slice(0, 1));
  recordB = await rehearseAsLocalPage(bot.url, 'api-b', LINES);
  tokens.admin = (await addTutor(bot.state, 'ann@example.org', { role: 'admin', name: 'Ann Admin' })).token;
  tokens.tess = (await addTutor(bot.state, 'tess@example.org', { learners: [localLearner('api-a')], name: 'Tess Tutor' })).token;
  tokens.tom = (await addTutor(bot.state, 'tom@example.org')).token;
}, 60_000);
afterAll(async () => {
  await bot?.close();
});

const api = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(`${bot.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
  });
const postReview = (id: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
  api(`/api/rehearsals/${id}/reviews`, token, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const GOOD_REVIEW = { feedback: 'Good questions; offer the options sooner.', verdict: 'meets-standard' };

describe('without credentials', () => {
  it('the API answers 401 with how to authenticate, and the pages send the browser to sign in', async () => {
    for (const response of [
      await api('/api/rehearsals'),
      await api(`/api/rehearsals/${recordA}`),
      await postReview(recordA, GOOD_REVIEW),
    ]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    for (const path of ['/review', `/review/rehearsals/${recordA}`]) {
      const page = await fetch(`${bot.url}${path}`, { redirect: 'manual' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe(`/review/sign-in?next=${encodeURIComponent(path)}`);
    }
    const form = await fetch(`${bot.url}/review/rehearsals/${recordA}/reviews`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'feedback=x&verdict=meets-standard',
    });
    expect(form.status).toBe(303);
    expect(await bot.evidence.reviewStatusOf(recordA)).toBe('unreviewed');
  });

  it('a forged, altered or malformed token is refused, even with a valid session cookie beside it', async () => {
    const { cookie } = await signIn(bot.url, 'ann@example.org');
    const real = tokens.admin!;
    const altered = `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`;
    for (const token of [`sst_0000000000000000.${'a'.repeat(43)}`, altered, 'not-a-token', `${real}x`]) {
      const response = await api('/api/rehearsals', token, { headers: { cookie } });
      expect(response.status, token).toBe(401);
    }
    expect((await api('/api/rehearsals', real)).status).toBe(200);
  });
});

describe("a tutor's reach", () => {
  it('a tutor lists only their learners; an admin lists everyone; a tutor with no learners lists nothing', async () => {
    const ids = async (token: string, query = '') =>
      ((await (await api(`/api/rehearsals${query}`, token)).json()) as { items: Array<{ id: string }> }).items.map((i) => i.id);
    expect((await ids(tokens.tess!)).sort()).toEqual([recordA, recordA2].sort());
    expect(await ids(tokens.admin!)).toEqual(expect.arrayContaining([recordA, recordA2, recordB]));
    expect(await ids(tokens.tom!)).toEqual([]);
    // Asking for another tutor's learner by name finds nothing, as for a learner with no rehearsals.
    expect(await ids(tokens.tess!, `?learner=${encodeURIComponent(localLearner('api-b'))}`)).toEqual([]);
  });

  it("another tutor's learner's rehearsal is 404, exactly as one that does not exist", async () => {
    const theirs = await api(`/api/rehearsals/${recordB}`, tokens.tess);
    const none = await api('/api/rehearsals/no-such-rehearsal', tokens.tess);
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).toBe(await none.text());
    expect((await postReview(recordB, GOOD_REVIEW, tokens.tess)).status).toBe(404);
    expect(await bot.evidence.reviewStatusOf(recordB)).toBe('unreviewed');
    const { cookie } = await signIn(bot.url, 'tess@example.org');
    expect((await fetch(`${bot.url}/review/rehearsals/${recordB}`, { headers: { cookie } })).status).toBe(404);
    expect((await api(`/api/rehearsals/${recordA}`, tokens.tess)).status).toBe(200);
  });

  it('a removed tutor, or a revoked token, stops working at once', async () => {
    const { token } = await addTutor(bot.state, 'leaving@example.org', { role: 'admin' });
    const { cookie } = await signIn(bot.url, 'leaving@example.org');
    const directory = new TutorDirectory(bot.state);
    const second = (await directory.issueToken('leaving@example.org')).token;
    expect(await directory.revokeTokens('leaving@example.org', token.slice(4, 20))).toBe(1);
    expect((await api('/api/rehearsals', token)).status).toBe(401);
    expect((await api('/api/rehearsals', second)).status).toBe(200);
    await directory.remove('leaving@example.org');
    expect((await api('/api/rehearsals', second)).status).toBe(401);
    expect((await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(401);
    // Added again: the old session does not come back with the account.
    await directory.put({ email: 'leaving@example.org', role: 'admin', passwordHash: 'scrypt$new' });
    expect((await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('sessions', () => {
  it('an ended session is refused: the API with 401, the pages by sending the tutor to sign in again', async () => {
    const short = await startBotServer(undefined, undefined, { review: { sessionMs: 1500 } });
    try {
      await addTutor(short.state, 'ann@example.org', { role: 'admin' });
      const { cookie } = await signIn(short.url, 'ann@example.org');
      expect((await fetch(`${short.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(200);
      await sleep(2000);
      expect((await fetch(`${short.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(401);
      const page = await fetch(`${short.url}/review`, { headers: { cookie }, redirect: 'manual' });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe('/review/sign-in?next=%2Freview&ended=1');
    } finally {
      await short.close();
    }
  });

  it('signing out ends the session', async () => {
    const { cookie, csrf } = await signIn(bot.url, 'ann@example.org');
    const out = await fetch(`${bot.url}/review/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }),
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().some((c) => /^servicesim-review=;/.test(c) && /Max-Age=0/.test(c))).toBe(true);
    expect((await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(401);
  });

  it('the session cookie is HttpOnly and SameSite, and sign-in never sends the tutor to another site', async () => {
    const form = await fetch(`${bot.url}/review/sign-in?next=${encodeURIComponent('//evil.example/x')}`);
    const html = await form.text();
    expect(html).toContain('value="/review"');
    expect(html).not.toContain('evil.example');
    const signedIn = await fetch(`${bot.url}/review/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: form.headers.getSetCookie()[0]!.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        email: 'ann@example.org',
        password: PASSWORD,
        _csrf: /name="_csrf" value="([^"]+)"/.exec(html)![1]!,
        next: 'https://evil.example/',
      }),
    });
    expect(signedIn.headers.get('location')).toBe('/review');
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('servicesim-review='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
  });

  it("sign-in without the form's CSRF token is refused, and failed attempts are limited", async () => {
    const noToken = await fetch(`${bot.url}/review/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'tom@example.org', password: PASSWORD }),
    });
    expect(noToken.status).toBe(403);
    const attempt = async (password: string) => {
      const form = await fetch(`${bot.url}/review/sign-in`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      return fetch(`${bot.url}/review/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: form.headers.getSetCookie()[0]!.split(';')[0]!, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'tom@example.org', password, _csrf: csrf }),
      });
    };
    for (let i = 0; i < 5; i++) expect((await attempt('wrong password')).status).toBe(401);
    const limited = await attempt(PASSWORD);
    expect(limited.status).toBe(429);
    expect(await limited.text()).toMatch(/Too many failed attempts/);
    expect(limited.headers.getSetCookie().some((c) => c.startsWith('servicesim-review='))).toBe(false);
  });
});

describe('signing a review', () => {
  it("a form posted without its CSRF token, or with another session's, changes nothing", async () => {
    const { cookie } = await signIn(bot.url, 'tess@example.org');
    const other = await signIn(bot.url, 'ann@example.org');
    for (const body of ['feedback=Fine&verdict=meets-standard', `feedback=Fine&verdict=meets-standard&_csrf=${other.csrf}`]) {
      const response = await fetch(`${bot.url}/review/rehearsals/${recordA2}/reviews`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(response.status).toBe(403);
    }
    // The API, used with a session cookie, needs the token in a header.
    expect((await postReview(recordA2, GOOD_REVIEW, undefined, { cookie })).status).toBe(403);
    expect(await bot.evidence.reviewStatusOf(recordA2)).toBe('unreviewed');
    expect(((await (await api(`/api/rehearsals/${recordA2}`, tokens.tess)).json()) as { reviews: unknown[] }).reviews).toEqual([]);
  });

  it('bad input is a 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...GOOD_REVIEW, dimensions: { listening: { level: 5, reason: 'x' } } }, 'dimensions.listening.level'],
      [{ ...GOOD_REVIEW, dimensions: { listening: { level: 2 } } }, 'dimensions.listening.reason'],
      [{ ...GOOD_REVIEW, dimensions: { telepathy: { level: 2, reason: 'x' } } }, 'dimensions.telepathy'],
      [{ ...GOOD_REVIEW, comments: [{ turn: 999, text: 'x' }] }, 'comments.0.turn'],
      [{ verdict: 'meets-standard' }, 'feedback'],
      [{ ...GOOD_REVIEW, verdict: 'brilliant' }, 'verdict'],
      [{ ...GOOD_REVIEW, nextScenario: 'no-such-scenario' }, 'nextScenario'],
      [{ ...GOOD_REVIEW, extra: true }, 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await postReview(recordA, body, tokens.admin);
      expect(response.status, field).toBe(400);
      const answer = (await response.json()) as { field: string; error: string };
      expect(answer.field, JSON.stringify(answer)).toBe(field);
    }
    const notJson = await api(`/api/rehearsals/${recordA}/reviews`, tokens.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"feedback":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { field: string }).field).toBe('body');
    const form = await api(`/api/rehearsals/${recordA}/reviews`, tokens.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'feedback=x&verdict=meets-standard',
    });
    expect(form.status).toBe(415);
    const huge = await api(`/api/rehearsals/${recordA}/reviews`, tokens.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...GOOD_REVIEW, feedback: 'x'.repeat(1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(await bot.evidence.reviewStatusOf(recordA)).toBe('unreviewed');
  });

  it("reviews are appended: a second supersedes the first, both are kept, and the tutor's level is the level", async () => {
    const { record } = (await (await api(`/api/rehearsals/${recordA}`, tokens.tess)).json()) as {
      record: { report: { dimensions: Record<string, { level: number | null }> } };
    };
    const [dimension, scored] = Object.entries(record.report.dimensions).find(([, d]) => d.level !== null)!;
    const changed = scored.level === 3 ? 1 : 3;
    const first = await postReview(
      recordA,
      { ...GOOD_REVIEW, verdict: 'needs-another-attempt', comments: [{ turn: 2, text: 'Warm opening.' }] },
      tokens.tess,
    );
    expect(first.status).toBe(201);
    const second = await postReview(
      recordA,
      { ...GOOD_REVIEW, dimensions: { [dimension]: { level: changed, reason: 'The learner did this well in turn 2.' } } },
      tokens.admin,
    );
    expect(second.status).toBe(201);
    const after = (await (await api(`/api/rehearsals/${recordA}`, tokens.tess)).json()) as {
      reviews: Array<{ verdict: string; reviewer: { id: string } }>;
      status: string;
      levels: Array<{ dimension: string; level: number; scorer: number; tutor?: number }>;
      record: { report: { dimensions: Record<string, { level: number | null }> } };
    };
    expect(after.reviews.map((r) => [r.reviewer.id, r.verdict])).toEqual([
      ['tess@example.org', 'needs-another-attempt'],
      ['ann@example.org', 'meets-standard'],
    ]);
    expect(after.status).toBe('meets-standard');
    expect(after.levels.find((l) => l.dimension === dimension)).toMatchObject({ level: changed, scorer: scored.level, tutor: changed });
    // The scored record is never edited.
    expect(after.record.report.dimensions[dimension]!.level).toBe(scored.level);
    const { items } = (await (await api('/api/rehearsals?status=meets-standard', tokens.tess)).json()) as {
      items: Array<{ id: string; levels: Array<{ dimension: string; level: number; scorer: number }> }>;
    };
    expect(items.map((i) => i.id)).toEqual([recordA]);
    expect(items[0]!.levels.find((l) => l.dimension === dimension)).toMatchObject({ level: changed, scorer: scored.level });
  });
});

describe('the inbox API', () => {
  it('pages with a cursor, newest first, each rehearsal once', async () => {
    const seen: string[] = [];
    let next: string | null = '';
    for (let page = 0; page < 5 && next !== null; page++) {
      const answer = (await (await api(`/api/rehearsals?limit=1${next ? `&cursor=${next}` : ''}`, tokens.admin)).json()) as {
        items: Array<{ id: string; endedAt: string }>;
        next: string | null;
        total: number;
      };
      expect(answer.total).toBe(3);
      seen.push(...answer.items.map((i) => i.id));
      next = answer.next;
    }
    expect(next).toBeNull();
    expect(seen).toEqual([recordB, recordA2, recordA]);
  });

  it('a path that is no route says so, rather than blaming a body', async () => {
    const response = await api(`/api/rehearsals/${recordA}/nothing-here`, tokens.admin);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no such route' });
  });

  it('a filter that does not read is a 400 naming it', async () => {
    for (const [query, field] of [
      ['cursor=forged', 'cursor'],
      ['mode=exam', 'mode'],
      ['from=30-11-2026', 'from'],
      ['flag=great', 'flag'],
      ['limit=1000', 'limit'],
    ]) {
      const response = await api(`/api/rehearsals?${query}`, tokens.admin);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { field: string }).field).toBe(field);
    }
  });
});

describe('attacks on sign-in and sessions', () => {
  it('attempts sent all at once are limited as if sent one by one', async () => {
    await addTutor(bot.state, 'target@example.org');
    const forms = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const form = await fetch(`${bot.url}/review/sign-in`);
        return {
          cookie: form.headers.getSetCookie()[0]!.split(';')[0]!,
          csrf: /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!,
        };
      }),
    );
    const statuses = await Promise.all(
      forms.map(({ cookie, csrf }) =>
        fetch(`${bot.url}/review/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ email: 'target@example.org', password: 'guess', _csrf: csrf }),
        }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('a session begun before the password changed ends with the change', async () => {
    await addTutor(bot.state, 'reset@example.org');
    const { cookie } = await signIn(bot.url, 'reset@example.org');
    expect((await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(200);
    await new TutorDirectory(bot.state).put({ email: 'reset@example.org', role: 'tutor', passwordHash: 'scrypt$changed' });
    expect((await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('the review form', () => {
  it('starts a second review from the current one, and keeps what was typed when a submission is refused', async () => {
    const { cookie, csrf } = await signIn(bot.url, 'ann@example.org');
    const page = async () => (await fetch(`${bot.url}/review/rehearsals/${recordA}`, { headers: { cookie } })).text();
    const before = await page();
    const current = (await (await api(`/api/rehearsals/${recordA}`, tokens.admin)).json()) as {
      reviews: Array<{ dimensions: Record<string, { level: number; reason: string }>; feedback: string }>;
    };
    const [dimension, changed] = Object.entries(current.reviews.at(-1)!.dimensions)[0]!;
    expect(before).toContain(`<option value="${changed.level}" selected>`);
    expect(before).toContain(`${changed.reason}</textarea>`);
    expect(before).toContain(`${current.reviews.at(-1)!.feedback}</textarea>`);

    const submission = /name="submission" value="([^"]+)"/.exec(before)![1]!;
    const refused = await fetch(`${bot.url}/review/rehearsals/${recordA}/reviews`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrf,
        submission,
        [`level.${dimension}`]: '0',
        [`reason.${dimension}`]: '',
        feedback: 'Typed with care.',
        verdict: 'meets-standard',
      }),
    });
    expect(refused.status).toBe(400);
    const shown = await refused.text();
    expect(shown).toContain('Typed with care.</textarea>');
    expect(shown).toContain('<option value="0" selected>');
    expect(shown).toMatch(/: reason<\/a>: a reason for the changed level is required/);
  });

  it('the same form sent twice (Back, then Sign off again) signs one review', async () => {
    const { cookie, csrf } = await signIn(bot.url, 'ann@example.org');
    const html = await (await fetch(`${bot.url}/review/rehearsals/${recordB}`, { headers: { cookie } })).text();
    const submission = /name="submission" value="([^"]+)"/.exec(html)![1]!;
    const send = () =>
      fetch(`${bot.url}/review/rehearsals/${recordB}/reviews`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, submission, feedback: 'Once only.', verdict: 'meets-standard' }),
      });
    expect((await send()).headers.get('location')).toMatch(/signed=(delivered|queued)$/);
    expect((await send()).headers.get('location')).toMatch(/signed=again$/);
    const { reviews } = (await (await api(`/api/rehearsals/${recordB}`, tokens.admin)).json()) as { reviews: unknown[] };
    expect(reviews).toHaveLength(1);
  });
});
