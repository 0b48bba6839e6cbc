/**
 * Tutors signing in to /review through the organisation's OpenID provider: the real bot server
 * (test/bot-server.ts) with OIDC configured as `serve` configures it (lazyOidcSignIn), against a
 * real provider on loopback (test/oidc-test-provider.ts).
 *
 * The provider must know the redirect URI before the bot has a port, so the bot is set up as it is
 * behind a reverse proxy: its redirect URI is the public address (PUBLIC_URL), which the provider
 * sends the browser back to, and the browser played here delivers that callback to the bot's own
 * address, as the proxy would. The browser's part at the provider is fetch with manual redirects
 * and a cookie jar, submitting oidc-provider's development login and consent forms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyOidcSignIn } from '../review/oidc-sign-in.ts';
import { TutorSessions } from '../review/tutor-sessions.ts';
import { writeAll } from '../store/key-value-store.ts';
import { startBotServer, type RunningBot } from './bot-server.ts';
import { signInAtProvider, startOidcTestProvider, type OidcTestProvider } from './oidc-test-provider.ts';
import { addTutor, PASSWORD } from './review-fixtures.ts';

/** Where tutors reach the bot, through a proxy: the address registered with the provider. */
const PUBLIC_URL = 'https://servicesim.example';
const REDIRECT_URI = `${PUBLIC_URL}/review/sign-in/oidc/callback`;
const PROVIDER_NAME = 'Example College';
const TUTOR_EMAIL = 'ada.lovelace@example.ac.uk';

let provider: OidcTestProvider;
let bot: RunningBot;

beforeAll(async () => {
  provider = await startOidcTestProvider({
    accounts: [
      // The provider gives the address in its own case; the directory keys it lowercased.
      { sub: 'ada', email: 'Ada.Lovelace@Example.AC.UK', name: 'Ada Lovelace' },
      { sub: 'eve', email: 'eve@example.ac.uk', name: 'Eve' },
      // Another account the provider gives the tutor's email (reassigned, or unverified): not the tutor.
      { sub: 'impostor', email: 'ada.lovelace@example.ac.uk', name: 'Not Ada' },
    ],
    client: { clientId: 'servicesim', clientSecret: 'a test secret', redirectUris: [REDIRECT_URI] },
  });
  const signIn = lazyOidcSignIn({
    issuer: provider.issuer,
    clientId: 'servicesim',
    clientSecret: 'a test secret',
    redirectUri: REDIRECT_URI,
    providerName: PROVIDER_NAME,
    allowHttp: true,
  });
  bot = await startBotServer(undefined, undefined, { review: { oidc: { signIn, redirectUri: REDIRECT_URI } } });
  // A tutor with a password too, to show the password is not taken while OIDC is on.
  await addTutor(bot.state, TUTOR_EMAIL, { role: 'admin', name: 'Ada Lovelace' });
});

afterAll(async () => {
  await bot?.close();
  await provider?.close();
});

/** The value a response sets a cookie to ('' when it clears it), or undefined when it does not set it. */
function setCookie(response: Response, name: string): { value: string; line: string } | undefined {
  const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (line === undefined) return undefined;
  return { value: line.slice(name.length + 1).split(';')[0]!, line };
}

/** Whether a response started a tutor session (set the session cookie to something). */
const startsSession = (response: Response) => Boolean(setCookie(response, 'servicesim-review')?.value);

/** Starts an OpenID sign-in at the bot as a browser would: where it sends the browser, and the cookie it keeps. */
async function beginAtBot(next?: string): Promise<{ authorizationUrl: string; oidcCookie: string; cookieLine: string }> {
  const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
  const response = await fetch(`${bot.url}/review/sign-in/oidc${query}`, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const authorizationUrl = response.headers.get('location')!;
  expect(authorizationUrl.startsWith(`${provider.issuer}/`)).toBe(true);
  const kept = setCookie(response, 'servicesim-oidc');
  expect(kept?.value).toBeTruthy();
  return { authorizationUrl, oidcCookie: `servicesim-oidc=${kept!.value}`, cookieLine: kept!.line };
}

/** Delivers the provider's redirect to the bot, as the proxy in front of it would, with the cookies given. */
function deliverCallback(callback: URL, cookie?: string): Promise<Response> {
  expect(callback.href.startsWith(REDIRECT_URI)).toBe(true);
  return fetch(`${bot.url}${callback.pathname}${callback.search}`, { redirect: 'manual', headers: cookie === undefined ? {} : { cookie } });
}

/** The cookie value `servicesim-oidc` would have, for a kept sign-in changed by someone. */
const keptCookie = (kept: unknown) => `servicesim-oidc=${Buffer.from(JSON.stringify(kept)).toString('base64url')}`;
const readKept = (oidcCookie: string) =>
  JSON.parse(Buffer.from(oidcCookie.slice('servicesim-oidc='.length), 'base64url').toString('utf8')) as { pending: string; next: string };

describe('/review sign-in with an OpenID provider configured', () => {
  it('offers "Sign in with <provider>" and no password form', async () => {
    const response = await fetch(`${bot.url}/review/sign-in?next=${encodeURIComponent('/review?mode=practice')}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`Sign in with ${PROVIDER_NAME}`);
    expect(html).toContain(`href="/review/sign-in/oidc?next=${encodeURIComponent('/review?mode=practice')}"`);
    expect(html).not.toMatch(/type="password"/);
    expect(html).not.toMatch(/name="password"/);
  });

  it("refuses a password (400), even a tutor's right one with a valid form token, and starts no session", async () => {
    const form = await fetch(`${bot.url}/review/sign-in`);
    await form.body?.cancel();
    const csrf = setCookie(form, 'servicesim-sign-in')!.value;
    const response = await fetch(`${bot.url}/review/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `servicesim-sign-in=${csrf}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: TUTOR_EMAIL, password: PASSWORD, _csrf: csrf, next: '/review' }),
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain(`Sign in with ${PROVIDER_NAME}.`);
    expect(html).not.toMatch(/type="password"/);
    expect(startsSession(response)).toBe(false);
  });

  it('signs a tutor in through the provider and sends them on to `next`, with a session that opens /review and the API', async () => {
    // Not signed in yet: /review sends the browser to sign in.
    const before = await fetch(`${bot.url}/review`, { redirect: 'manual' });
    expect(before.status).toBe(303);

    const { authorizationUrl, oidcCookie, cookieLine } = await beginAtBot('/review?mode=practice');
    // Kept only for the callback, out of scripts' reach, and sent back on the provider's top-level redirect (Lax, not Strict).
    expect(cookieLine).toMatch(/; Path=\/review\/sign-in\/oidc(;|$)/);
    expect(cookieLine).toMatch(/; HttpOnly(;|$)/);
    expect(cookieLine).toMatch(/; SameSite=Lax(;|$)/);
    expect(cookieLine).toMatch(/; Max-Age=600(;|$)/);
    expect(Object.fromEntries(new URL(authorizationUrl).searchParams)).toMatchObject({
      redirect_uri: REDIRECT_URI,
      client_id: 'servicesim',
    });

    const callback = await deliverCallback(await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'ada' }), oidcCookie);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/review?mode=practice');
    // The kept sign-in is spent: the browser is told to drop it.
    expect(setCookie(callback, 'servicesim-oidc')?.value).toBe('');
    const sessionId = setCookie(callback, 'servicesim-review')!.value;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await new TutorSessions(bot.state).find(sessionId)).toMatchObject({ email: TUTOR_EMAIL, via: 'oidc' });

    const cookie = `servicesim-review=${sessionId}`;
    const inbox = await fetch(`${bot.url}/review?mode=practice`, { headers: { cookie }, redirect: 'manual' });
    expect(inbox.status).toBe(200);
    expect(await inbox.text()).toContain(TUTOR_EMAIL);
    const home = await fetch(`${bot.url}/review`, { headers: { cookie }, redirect: 'manual' });
    expect(home.status).toBe(200);
    await home.body?.cancel();
    const api = await fetch(`${bot.url}/api/rehearsals`, { headers: { cookie } });
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ items: expect.any(Array), total: expect.any(Number) });
  });

  it('sends a tutor to /review, not to another site, whatever `next` the kept sign-in was changed to', async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot('/review?mode=practice');
    const changed = keptCookie({ ...readKept(oidcCookie), next: 'https://evil.example/review' });
    const callback = await deliverCallback(await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'ada' }), changed);
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/review');
    expect(startsSession(callback)).toBe(true);
  });

  it('refuses an account the provider vouches for that is not a tutor (403, naming the email), with no session', async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot();
    const callback = await deliverCallback(await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'eve' }), oidcCookie);
    expect(callback.status).toBe(403);
    expect(await callback.text()).toContain('eve@example.ac.uk is not a ServiceSim tutor. Ask an admin to add you.');
    expect(startsSession(callback)).toBe(false);
  });

  it('once a tutor has signed in, refuses another organisation account with the same email (403), with no session', async () => {
    // Ada's first sign-in (an earlier test, or this one) links her account; the impostor's shares only the email.
    const first = await beginAtBot();
    expect(
      startsSession(
        await deliverCallback(await signInAtProvider(REDIRECT_URI, first.authorizationUrl, { login: 'ada' }), first.oidcCookie),
      ),
    ).toBe(true);
    const { authorizationUrl, oidcCookie } = await beginAtBot();
    const callback = await deliverCallback(await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'impostor' }), oidcCookie);
    expect(callback.status).toBe(403);
    expect(await callback.text()).toContain('is linked to another account at Example College');
    expect(startsSession(callback)).toBe(false);
  });

  it('refuses a callback without the kept sign-in, or with one that does not read (400), and starts no session', async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot('/review?mode=practice');
    const providerCallback = await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'ada' });

    const unreadable = [
      undefined,
      'servicesim-oidc=',
      'servicesim-oidc=not-what-the-bot-set',
      // The other cookie a browser could have on this path is not taken for this one.
      `servicesim-sign-in=${oidcCookie.slice('servicesim-oidc='.length)}`,
      keptCookie({ next: '/review' }),
      keptCookie({ pending: 42, next: '/review' }),
      keptCookie('a string'),
    ];
    for (const cookie of unreadable) {
      const response = await deliverCallback(providerCallback, cookie);
      expect(response.status, String(cookie)).toBe(400);
      expect(await response.text()).toContain('That sign-in had expired, or began in another browser. Please sign in again.');
      expect(startsSession(response), String(cookie)).toBe(false);
    }

    // A kept sign-in that reads but is another one (a sign-in begun by someone else, planted in this browser) is refused too.
    const other = await beginAtBot();
    const planted = await deliverCallback(providerCallback, other.oidcCookie);
    expect(planted.status).toBe(401);
    expect(await planted.text()).toContain('this sign-in does not match the one started in this browser: start again');
    expect(startsSession(planted)).toBe(false);
    const forgedState = keptCookie({
      ...readKept(oidcCookie),
      pending: Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(readKept(oidcCookie).pending, 'base64url').toString()), state: 'forged' }),
      ).toString('base64url'),
    });
    const forged = await deliverCallback(providerCallback, forgedState);
    expect(forged.status).toBe(401);
    expect(startsSession(forged)).toBe(false);

    // None of that spent the provider's code: with the browser's own cookie, the same callback signs in.
    const own = await deliverCallback(providerCallback, oidcCookie);
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/review?mode=practice');
    expect(startsSession(own)).toBe(true);
  });

  it("shows the provider's reason when the tutor cancels at the provider (error=access_denied), with 401 and no session", async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot();
    const providerCallback = await signInAtProvider(REDIRECT_URI, authorizationUrl, 'abort');
    expect(providerCallback.searchParams.get('error')).toBe('access_denied');
    const response = await deliverCallback(providerCallback, oidcCookie);
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain(
      `Sign-in with ${PROVIDER_NAME} did not complete: ${PROVIDER_NAME} did not sign you in: End-User aborted interaction`,
    );
    expect(html).toContain(`Sign in with ${PROVIDER_NAME}`);
    expect(startsSession(response)).toBe(false);
  });

  it("answers a store fault at the callback as the server's (500, its message unshown), not as a refused sign-in", async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot();
    const providerCallback = await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'ada' });
    const directory = (await bot.state.read(['tutors/directory']))['tutors/directory']!;
    // The directory damaged (as by a foreign writer): reading it throws, as a store that cannot be reached would.
    await writeAll(bot.state, [{ key: 'tutors/directory', value: { tutors: 'damaged' }, eTag: directory.eTag }]);
    try {
      const response = await deliverCallback(providerCallback, oidcCookie);
      expect(response.status).toBe(500);
      const html = await response.text();
      expect(html).toContain('Something went wrong');
      expect(html).not.toContain('tutors/directory');
      expect(startsSession(response)).toBe(false);
    } finally {
      const damaged = (await bot.state.read(['tutors/directory']))['tutors/directory']!;
      await writeAll(bot.state, [{ key: 'tutors/directory', value: directory.value, eTag: damaged.eTag }]);
    }
  });

  it('refuses a code used twice (401), with no session the second time', async () => {
    const { authorizationUrl, oidcCookie } = await beginAtBot();
    const providerCallback = await signInAtProvider(REDIRECT_URI, authorizationUrl, { login: 'ada' });
    expect(startsSession(await deliverCallback(providerCallback, oidcCookie))).toBe(true);
    const again = await deliverCallback(providerCallback, oidcCookie);
    expect(again.status).toBe(401);
    expect(await again.text()).toMatch(/Example College refused to complete the sign-in \(invalid_grant/);
    expect(startsSession(again)).toBe(false);
  });
});
