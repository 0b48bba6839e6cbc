/**
 * Tutors' OpenID Connect sign-in (review/oidc-sign-in.ts) against a real provider on loopback
 * (test/oidc-test-provider.ts). The browser's part is played with plain HTTP: fetch with manual
 * redirects and a small cookie jar, submitting the provider's development login and consent forms,
 * until the provider redirects to our callback, which is handed to `finish()` as the bot would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverOidc, OidcSignInError, type OidcSignIn } from '../review/oidc-sign-in.ts';
import { signInAtProvider, startOidcTestProvider, type OidcTestProvider, type TestAccount } from './oidc-test-provider.ts';

const REDIRECT_URI = 'https://bot.example/review/sign-in/oidc/callback';
const ACCOUNTS: TestAccount[] = [
  { sub: 'ada', email: 'Ada.Lovelace@Example.AC.UK', name: 'Ada Lovelace' },
  { sub: 'grace', preferred_username: 'Grace.Hopper@Example.AC.UK' },
  { sub: 'nobody', name: 'No Email' },
];

async function signInAs(signIn: OidcSignIn, login: string) {
  const { url, pending } = await signIn.begin();
  return signIn.finish(await signInAtProvider(REDIRECT_URI, url, { login }), pending);
}

/** The error a promise rejects with, checked to be an OidcSignInError. */
async function signInError(promise: Promise<unknown>): Promise<OidcSignInError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OidcSignInError);
  return error as OidcSignInError;
}

describe('OpenID Connect sign-in, confidential client', () => {
  let provider: OidcTestProvider;
  let signIn: OidcSignIn;
  beforeAll(async () => {
    provider = await startOidcTestProvider({
      accounts: ACCOUNTS,
      client: { clientId: 'servicesim', clientSecret: 'a test secret', redirectUris: [REDIRECT_URI] },
    });
    signIn = await discoverOidc({
      issuer: provider.issuer,
      clientId: 'servicesim',
      clientSecret: 'a test secret',
      redirectUri: REDIRECT_URI,
      providerName: 'Example College',
      allowHttp: true,
    });
  });
  afterAll(() => provider?.close());

  it('sends the browser to the provider with PKCE (S256), state, nonce and the scopes', async () => {
    const { url, pending } = await signIn.begin();
    const parameters = new URL(url).searchParams;
    expect(url.startsWith(`${provider.issuer}/`)).toBe(true);
    expect(Object.fromEntries(parameters)).toMatchObject({
      client_id: 'servicesim',
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(parameters.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    const kept = JSON.parse(Buffer.from(pending, 'base64url').toString()) as Record<string, string>;
    expect(kept.state).toBe(parameters.get('state'));
    expect(kept.nonce).toBe(parameters.get('nonce'));
    expect(signIn.providerName).toBe('Example College');
  });

  it("gives the account's email, lowercased, with its name and subject", async () => {
    const identity = await signInAs(signIn, 'ada');
    expect(identity).toEqual({
      subject: 'ada',
      email: 'ada.lovelace@example.ac.uk',
      name: 'Ada Lovelace',
      issuer: provider.issuer,
    });
  });

  it('takes preferred_username, lowercased, when there is no email (as Entra ID often sends)', async () => {
    const identity = await signInAs(signIn, 'grace');
    expect(identity).toEqual({ subject: 'grace', email: 'grace.hopper@example.ac.uk', issuer: provider.issuer });
  });

  it('refuses an account the provider gives no email address for', async () => {
    const error = await signInError(signInAs(signIn, 'nobody'));
    expect(error.message).toMatch(/^the provider did not give an email address/);
  });

  it("fails cleanly when the kept `pending` belongs to another sign-in (another state), or isn't one", async () => {
    const first = await signIn.begin();
    const second = await signIn.begin();
    const callback = await signInAtProvider(REDIRECT_URI, first.url, { login: 'ada' });

    const mismatched = await signInError(signIn.finish(callback, second.pending));
    expect(mismatched.message).toBe('this sign-in does not match the one started in this browser: start again');

    const edited = { ...(JSON.parse(Buffer.from(first.pending, 'base64url').toString()) as object), state: 'forged' };
    const tampered = await signInError(signIn.finish(callback, Buffer.from(JSON.stringify(edited)).toString('base64url')));
    expect(tampered.message).toBe(mismatched.message);

    const garbage = await signInError(signIn.finish(callback, 'not-a-pending-value'));
    expect(garbage.message).toMatch(/not started in this browser/);

    // The untouched pair still works: nothing above spent the code.
    expect((await signIn.finish(callback, first.pending)).email).toBe('ada.lovelace@example.ac.uk');
  });

  it('fails cleanly when the kept nonce or code verifier was changed', async () => {
    const edit = (pending: string, change: object) =>
      Buffer.from(JSON.stringify({ ...(JSON.parse(Buffer.from(pending, 'base64url').toString()) as object), ...change })).toString(
        'base64url',
      );

    const first = await signIn.begin();
    const otherNonce = edit(first.pending, { nonce: 'another nonce' });
    const nonceError = await signInError(signIn.finish(await signInAtProvider(REDIRECT_URI, first.url, { login: 'ada' }), otherNonce));
    expect(nonceError.message).toMatch(/^Example College's answer could not be verified \(.+\): start again$/);

    const second = await signIn.begin();
    const otherVerifier = edit(second.pending, { codeVerifier: 'x'.repeat(43) });
    const verifierError = await signInError(
      signIn.finish(await signInAtProvider(REDIRECT_URI, second.url, { login: 'ada' }), otherVerifier),
    );
    expect(verifierError.message).toMatch(/^Example College refused to complete the sign-in \(invalid_grant/);
  });

  it("reports the provider's reason when the tutor cancels (error=access_denied)", async () => {
    const { url, pending } = await signIn.begin();
    const callback = await signInAtProvider(REDIRECT_URI, url, 'abort');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const error = await signInError(signIn.finish(callback, pending));
    expect(error.message).toBe('Example College did not sign you in: End-User aborted interaction');
  });

  it('refuses a code used twice, with a readable reason and no token in it', async () => {
    const { url, pending } = await signIn.begin();
    const callback = await signInAtProvider(REDIRECT_URI, url, { login: 'ada' });
    await signIn.finish(callback, pending);
    const error = await signInError(signIn.finish(callback, pending));
    expect(error.message).toMatch(/^Example College refused to complete the sign-in \(invalid_grant/);
    expect(error.message).not.toMatch(/eyJ/);
    expect(error.cause).toBeUndefined();
  });

  it('will not use an http:// issuer unless told to', async () => {
    const error = await signInError(discoverOidc({ issuer: provider.issuer, clientId: 'servicesim', redirectUri: REDIRECT_URI }));
    expect(error.message).toBe(`could not use the OpenID provider at ${provider.issuer}: the issuer must be an https:// URL`);
  });
});

describe('OpenID Connect sign-in, public client (PKCE only)', () => {
  it('signs in without a client secret', async () => {
    const provider = await startOidcTestProvider({
      accounts: ACCOUNTS,
      client: { clientId: 'servicesim-public', redirectUris: [REDIRECT_URI] },
    });
    try {
      const signIn = await discoverOidc({
        issuer: provider.issuer,
        clientId: 'servicesim-public',
        redirectUri: REDIRECT_URI,
        allowHttp: true,
      });
      expect(signIn.providerName).toBe('your organisation');
      expect((await signInAs(signIn, 'grace')).email).toBe('grace.hopper@example.ac.uk');
    } finally {
      await provider.close();
    }
  });
});

describe('OpenID Connect discovery failures', () => {
  // A server that accepts connections and never answers.
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer(() => {});
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('names an issuer that does not answer, within the timeout', async () => {
    const issuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/tenant/v2.0`;
    const started = Date.now();
    const error = await signInError(
      discoverOidc({ issuer, clientId: 'x', redirectUri: REDIRECT_URI, allowHttp: true }, { timeoutMs: 500 }),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.message).toBe(`could not use the OpenID provider at ${issuer}: it did not answer within 0.5 s`);
  });

  it("refuses Entra ID's shared endpoints, which any tenant's accounts could sign in through", async () => {
    const issuer = 'https://login.microsoftonline.com/common/v2.0';
    const error = await signInError(discoverOidc({ issuer, clientId: 'x', redirectUri: REDIRECT_URI }));
    expect(error.message).toMatch(/^the OpenID issuer https:\/\/login.microsoftonline.com\/common\/v2.0 accepts accounts from any/);
  });

  it('names an issuer that refuses the connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await signInError(
      discoverOidc({ issuer, clientId: 'x', redirectUri: REDIRECT_URI, allowHttp: true }, { timeoutMs: 2_000 }),
    );
    expect(error.message).toBe(`could not use the OpenID provider at ${issuer}: the connection was refused`);
  });
});
