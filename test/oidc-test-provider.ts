/**
 * A real OpenID Connect provider (oidc-provider 9) on a free loopback port, for testing tutors'
 * sign-in without an Entra ID tenant. It uses oidc-provider's development interactions: a login
 * form that accepts any account id with any password, then a consent form. Only the accounts
 * listed are known; their claims go into the ID token, as Entra ID puts `email` /
 * `preferred_username` there. PKCE (S256) is required of every client.
 *
 * oidc-provider warns "Unsupported runtime. Use Node.js v22.x LTS" on Node 20 when imported, and
 * about its development-only interactions when started; it works here regardless.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
// @ts-expect-error -- oidc-provider 9 ships no type declarations; the little used here is typed below.
import ProviderModule from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email?: string;
  preferred_username?: string;
  name?: string;
}

export interface TestClient {
  clientId: string;
  /** With a secret the client authenticates with client_secret_post; without, it is public (PKCE only). */
  clientSecret?: string;
  redirectUris: string[];
}

export interface OidcTestProvider {
  /** The issuer identifier, e.g. http://127.0.0.1:43117 (plain http: relying parties must allow it). */
  issuer: string;
  close(): Promise<void>;
}

/** The part of oidc-provider's API used here. */
interface ProviderInstance {
  callback(): (request: unknown, response: unknown) => void;
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
const Provider = ProviderModule as ProviderConstructor;

export async function startOidcTestProvider(options: { accounts: TestAccount[]; client: TestClient }): Promise<OidcTestProvider> {
  const server: Server = createServer();
  // Keep-alive connections (fetch keeps them) would hold close() open: end them ourselves.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accounts = new Map(options.accounts.map((account) => [account.sub, account]));
  const { clientId, clientSecret, redirectUris } = options.client;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        ...(clientSecret
          ? { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_post' }
          : { token_endpoint_auth_method: 'none' }),
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    // Signed cookies, as a deployment would have; the key only has to last this provider's life.
    cookies: { keys: [`test-${Math.random()}`] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    // Put the scopes' claims in the ID token too (the specification's default keeps them for userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Lifetimes set, so the provider does not print a notice for each default it falls back to.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_context: unknown, sub: string) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { ...account };
        },
      };
    },
  });
  server.on('request', provider.callback());

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * Plays the browser at the provider from the authorization URL, with fetch and a small cookie jar: logs in as `login` (the dev form
 * takes any password) and consents, or presses "abort" on the login page. Returns the URL the
 * provider sent the browser back to (the callback at `redirectUri`, not fetched).
 */
export async function signInAtProvider(redirectUri: string, authorizationUrl: string, how: { login: string } | 'abort'): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      const [name, value] = [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
      if (value && !/max-age=0|expires=thu, 01 jan 1970/i.test(line)) cookies.set(name, value);
      else cookies.delete(name);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      [url, init] = [next, {}];
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`provider answered ${response.status} at ${url.pathname}: ${html.slice(0, 500)}`);
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no interaction form at ${url.pathname}: ${html.slice(0, 500)}`);
    if (how === 'abort') {
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
      if (!abort) throw new Error('no abort link on the provider page');
      [url, init] = [new URL(abort, url), {}];
      continue;
    }
    // The login form takes any password; the consent form needs only its prompt.
    const form: Record<string, string> = prompt === 'login' ? { prompt, login: how.login, password: 'any password' } : { prompt };
    [url, init] = [
      new URL(action, url),
      {
        method: 'POST',
        body: new URLSearchParams(form).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    ];
  }
  throw new Error('the provider never redirected back to the callback');
}
