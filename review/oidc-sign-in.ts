/**
 * Tutors sign in through their organisation's OpenID Connect provider (a Microsoft Entra ID
 * tenant, or any other): the authorization code flow with PKCE (S256), `state` and `nonce`, scope
 * `openid email profile`, done by openid-client. This file knows nothing about HTTP serving: the
 * review routes send the browser to `begin()`'s URL, keep `pending` in a short-lived HttpOnly
 * cookie, and hand the callback URL and that cookie to `finish()`, which gives the identity the
 * provider vouched for or an error a tutor can read.
 *
 * No token leaves this file: not in a result, an error message or an error's `cause`.
 */
import * as client from 'openid-client';

export interface OidcSettings {
  /** e.g. https://login.microsoftonline.com/<tenant>/v2.0 */
  issuer: string;
  clientId: string;
  /** A confidential client (client_secret_post); absent: a public client with PKCE only. */
  clientSecret?: string;
  /** e.g. https://bot.example/review/sign-in/oidc/callback, exactly as registered with the provider. */
  redirectUri: string;
  /** Shown on the button; default "your organisation". */
  providerName?: string;
  /** Only for tests and local providers: allow an http:// issuer. */
  allowHttp?: boolean;
}

export interface OidcIdentity {
  /** The provider's `sub` for this tutor (stable at that issuer, unlike the email). */
  subject: string;
  /** Lowercased: `email`, else `preferred_username`, else `upn`. */
  email: string;
  name?: string;
  /** The ID token's `iss` (for Entra ID, the tenant's issuer). */
  issuer: string;
}

export interface OidcSignIn {
  providerName: string;
  /** Where to send the browser, and what to keep (the caller puts it in a short-lived HttpOnly cookie) until the callback. */
  begin(): Promise<{ url: string; pending: string }>;
  /** The identity the provider vouched for, from the callback URL (as received, full URL) and the kept `pending`; throws OidcSignInError with a reason a tutor can read otherwise. */
  finish(callbackUrl: URL, pending: string): Promise<OidcIdentity>;
}

/** A sign-in that did not happen; the message is for the tutor (no stack, no token). */
export class OidcSignInError extends Error {
  override name = 'OidcSignInError';
}

const SCOPE = 'openid email profile';
const DEFAULT_TIMEOUT_MS = 10_000;

/** What `begin()` keeps until the callback: not secret from the tutor, only from others. */
interface Pending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * Reads the provider's discovery document and returns the sign-in for it.
 * @remarks Call once at start-up; a provider that cannot be reached or does not describe itself
 * properly throws an OidcSignInError naming the issuer. `timeoutMs` (default 10 s) also bounds
 * each later request to the provider (the token endpoint, its keys).
 */
export async function discoverOidc(settings: OidcSettings, options?: { timeoutMs?: number }): Promise<OidcSignIn> {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(settings.issuer);
  } catch {
    throw new OidcSignInError(`the OpenID issuer "${settings.issuer}" is not a URL`);
  }
  // Entra ID's shared endpoints would let an account from any tenant sign in, and other tenants
  // choose their users' email and preferred_username: only a tenant's own issuer is accepted.
  if (issuerUrl.hostname === 'login.microsoftonline.com' && /^\/(common|organizations|consumers)(\/|$)/i.test(issuerUrl.pathname)) {
    throw new OidcSignInError(
      `the OpenID issuer ${settings.issuer} accepts accounts from any Microsoft tenant: use your tenant's, https://login.microsoftonline.com/<tenant id>/v2.0`,
    );
  }

  let config: client.Configuration;
  try {
    config = await client.discovery(
      issuerUrl,
      settings.clientId,
      settings.clientSecret,
      settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None(),
      {
        timeout: timeoutMs / 1000,
        ...(settings.allowHttp ? { execute: [client.allowInsecureRequests] } : {}),
      },
    );
  } catch (error) {
    throw new OidcSignInError(`could not use the OpenID provider at ${settings.issuer}: ${discoveryProblem(error, timeoutMs)}`);
  }

  const providerName = settings.providerName?.trim() || 'your organisation';

  return {
    providerName,

    async begin() {
      const pending: Pending = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUri,
        response_type: 'code',
        scope: SCOPE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url: url.href, pending: Buffer.from(JSON.stringify(pending)).toString('base64url') };
    },

    async finish(callbackUrl, pendingText) {
      const pending = readPending(pendingText);
      // Only the callback's parameters are taken from it: the redirect_uri sent to the token
      // endpoint must be the registered one, whatever host or proxy the request came through.
      const response = new URL(settings.redirectUri);
      for (const [key, value] of callbackUrl.searchParams) response.searchParams.append(key, value);

      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, response, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (error) {
        throw new OidcSignInError(finishProblem(error, providerName, settings.issuer));
      }
      if (!claims) throw new OidcSignInError(`${providerName} did not say who you are (no ID token): try again`);
      return identityFrom(claims, providerName);
    },
  };
}

function readPending(text: string): Pending {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      'state' in value &&
      'nonce' in value &&
      'codeVerifier' in value &&
      typeof value.state === 'string' &&
      typeof value.nonce === 'string' &&
      typeof value.codeVerifier === 'string'
    ) {
      return { state: value.state, nonce: value.nonce, codeVerifier: value.codeVerifier };
    }
  } catch {
    // Falls through to the same answer as a well-formed but wrong value.
  }
  throw new OidcSignInError('this sign-in was not started in this browser, or it expired: start again');
}

function identityFrom(claims: client.IDToken, providerName: string): OidcIdentity {
  // Entra ID often sends no `email`; its `preferred_username` (or, for older tokens, `upn`) is the
  // tenant's sign-in name, usually the work address. An email the provider says it has not
  // verified is not taken.
  const candidates = [claims.email_verified === false ? undefined : claims.email, claims.preferred_username, claims.upn];
  const email = candidates.find((value): value is string => typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value.trim()));
  if (!email) {
    throw new OidcSignInError(
      `the provider did not give an email address for your account: ask ${providerName}'s administrator to include the email claim`,
    );
  }
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : undefined;
  return {
    subject: claims.sub,
    email: email.trim().toLowerCase(),
    ...(name ? { name } : {}),
    issuer: claims.iss,
  };
}

function discoveryProblem(error: unknown, timeoutMs: number): string {
  const code = codeOf(error);
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return `it did not answer within ${timeoutMs / 1000} s`;
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') return 'the issuer must be an https:// URL';
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    return 'its discovery document names another issuer: check the issuer URL (for Entra ID, https://login.microsoftonline.com/<tenant id>/v2.0)';
  }
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
    return `its discovery document (/.well-known/openid-configuration) could not be read${statusOf(error)}`;
  }
  if (
    code === 'OAUTH_RESPONSE_IS_NOT_JSON' ||
    code === 'OAUTH_PARSE_ERROR' ||
    code === 'OAUTH_INVALID_RESPONSE' ||
    code === 'OAUTH_INVALID_SERVER_METADATA' ||
    code === 'OAUTH_MISSING_SERVER_METADATA'
  ) {
    return 'its discovery document (/.well-known/openid-configuration) is not valid OpenID metadata';
  }
  return networkProblem(error) ?? messageOf(error);
}

function finishProblem(error: unknown, providerName: string, issuer: string): string {
  if (error instanceof client.AuthorizationResponseError) {
    // The provider's own words, first line only (Entra ID appends trace and correlation ids).
    const description = firstLine(error.error_description);
    if (error.error === 'access_denied') {
      return `${providerName} did not sign you in: ${description ?? 'access was denied or the sign-in was cancelled'}`;
    }
    return `${providerName} did not sign you in: ${description ?? error.error}`;
  }
  if (error instanceof client.ResponseBodyError) {
    // From the token endpoint, e.g. invalid_grant for a code already used or a wrong verifier.
    return `${providerName} refused to complete the sign-in (${error.error}${error.error_description ? `: ${firstLine(error.error_description)}` : ''}): start again`;
  }
  const code = codeOf(error);
  const message = messageOf(error);
  if (code === 'OAUTH_INVALID_RESPONSE' && /state/.test(causeMessageOf(error))) {
    return 'this sign-in does not match the one started in this browser: start again';
  }
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return `${providerName} (${issuer}) did not answer in time: try again`;
  const network = networkProblem(error);
  if (network) return `could not reach ${providerName} (${issuer}): ${network}`;
  // ID token checks (signature, audience, nonce, expiry) and anything else: no detail is the
  // tutor's to act on, but the code tells an administrator which check failed.
  return `${providerName}'s answer could not be verified (${code ?? message}): start again`;
}

function firstLine(text: string | undefined): string | undefined {
  const line = text
    ?.split(/\r?\n/)[0]
    // eslint-disable-next-line no-control-regex -- control characters from outside are dropped.
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return line ? line.slice(0, 300) : undefined;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function causeMessageOf(error: unknown): string {
  return error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
}

function statusOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Response ? ` (HTTP ${cause.status})` : '';
}

/** fetch's "fetch failed" hides the reason (connection refused, unknown host) in its cause. */
function networkProblem(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = 'code' in current ? current.code : undefined;
    if (code === 'ECONNREFUSED') return 'the connection was refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name is not known';
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was dropped';
    if (
      (typeof code === 'string' && code.startsWith('ERR_TLS')) ||
      code === 'CERT_HAS_EXPIRED' ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
    ) {
      return `its TLS certificate was not accepted (${code})`;
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * The sign-in for a provider that is discovered when first needed, and again after a failure: a
 * provider that is down when the bot starts must not stop the bot, nor stay broken once it is back.
 */
export function lazyOidcSignIn(settings: OidcSettings, options?: { timeoutMs?: number }): OidcSignIn {
  let discovered: Promise<OidcSignIn> | undefined;
  const ready = () => {
    discovered ??= discoverOidc(settings, options).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  return {
    providerName: settings.providerName?.trim() || 'your organisation',
    begin: async () => (await ready()).begin(),
    finish: async (callbackUrl, pending) => (await ready()).finish(callbackUrl, pending),
  };
}
