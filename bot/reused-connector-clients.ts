/**
 * Bot Framework authentication that reuses its HTTP clients across turns.
 *
 * @remarks
 * CloudAdapter asks for a new ConnectorClient and a new UserTokenClient on every turn, and building
 * each (an Azure service client with its serializer and request pipeline) showed in the profile of
 * `npm run bench:load`. Neither keeps per-turn state: each holds a service URL and the app's
 * credentials, which cache their own tokens. So one of each is kept per app id (and service URL and
 * audience), and all checking of who is calling is left to the authentication it wraps.
 */
import { defaultRetryPolicy, type PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Activity } from 'botbuilder';
import type { HttpLimits } from './http-limits.ts';
import {
  BotFrameworkAuthentication,
  ConnectorFactory,
  JwtTokenValidation,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';

/** Teams uses a few regional service URLs; a bound keeps a misbehaving caller from growing the cache. */
const MAX_CLIENTS = 256;

export class ReusedConnectorClients extends BotFrameworkAuthentication {
  private readonly clients = new Map<string, Promise<ConnectorClient>>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly limits: Pick<HttpLimits, 'connectorTimeoutMs' | 'connectorRetries'>,
  ) {
    super();
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(this.inner.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  /** The adapter takes the connector factory of an incoming turn from here, not from `createConnectorFactory`. */
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  private reusing(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = JwtTokenValidation.getAppIdFromClaims(claimsIdentity.claims) ?? '';
    const { clients, limits } = this;
    return new (class extends ConnectorFactory {
      create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        return reuse(clients, JSON.stringify([appId, serviceUrl, audience ?? null]), async () =>
          bounded(await factory.create(serviceUrl, audience), limits),
        );
      }
    })();
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const appId = JwtTokenValidation.getAppIdFromClaims(claimsIdentity.claims) ?? '';
    return reuse(this.tokenClients, appId, () => this.inner.createUserTokenClient(claimsIdentity));
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}

function reuse<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let client = cache.get(key);
  if (!client) {
    client = make();
    // A failed creation (credentials not yet to be had) is tried afresh next time.
    client.catch(() => cache.delete(key));
    if (cache.size >= MAX_CLIENTS) cache.delete(cache.keys().next().value!);
    cache.set(key, client);
  }
  return client;
}

/**
 * A reply posted to a stalled connector would otherwise wait for ever, holding up that learner's
 * later turns (a conversation's turns run one at a time). Each attempt gets a deadline; a refusal
 * or a dropped connection is retried a bounded number of times, a timed-out attempt never (it may
 * have arrived, and the learner would see the reply twice).
 */
function bounded(client: ConnectorClient, limits: Pick<HttpLimits, 'connectorTimeoutMs' | 'connectorRetries'>): ConnectorClient {
  const pipeline = (
    client as unknown as {
      client: { pipeline: { addPolicy(p: PipelinePolicy, o?: object): void; removePolicy(o: { name: string }): unknown } };
    }
  ).client.pipeline;
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  pipeline.addPolicy(defaultRetryPolicy({ maxRetries: limits.connectorRetries, retryDelayInMs: 200, maxRetryDelayInMs: 1000 }), {
    phase: 'Retry',
  });
  pipeline.addPolicy({
    name: 'servicesimConnectorDeadline',
    sendRequest: (request, next) => {
      request.timeout = limits.connectorTimeoutMs;
      return next(request);
    },
  });
  return client;
}
