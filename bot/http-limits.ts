/**
 * Every limit the HTTP edge enforces, in one place, with why each is what it is. The server takes
 * them as one object, so tests can make them small and `npm run bench:load` can lift the rate
 * limits that a benchmark's flood of messages would otherwise (rightly) trip.
 */
export interface HttpLimits {
  /** Large enough that an over-long learner message (up to 1 MB) reaches the bot and gets a polite answer. */
  maxBodyBytes: number;
  /** Real activities nest a few levels (Teams channel data, card values); deeper is an attack on JSON.stringify. */
  maxJsonDepth: number;
  /** Time to send a request's headers: a slow-loris client holds a connection no longer than this (checked every 30 s by Node). */
  headersTimeoutMs: number;
  /** Time to send a whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open between requests. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing at all happens for this long is closed. */
  idleSocketMs: number;
  /** Open connections from one client address; beyond it new ones are closed at once, so one client cannot use up file descriptors. */
  connectionsPerClient: number;
  /** Requests per second from one client address, before anything is parsed (0: no limit). */
  requestsPerClientPerSecond: number;
  /** Activities per minute in one conversation: a person types far fewer (0: no limit). */
  activitiesPerConversationPerMinute: number;
  /** New conversations per minute from one client (0: no limit): each one costs state on disk. */
  newConversationsPerClientPerMinute: number;
  /** One attempt to post a reply to the channel's connector may take this long. */
  connectorTimeoutMs: number;
  /**
   * Reverse proxies in front of the bot (Azure App Service, a tunnel, nginx): with N, a client's
   * address is the Nth from the right of X-Forwarded-For, so per-address limits count clients, not
   * the proxy. 0 (the default) trusts no such header, which anyone could forge.
   */
  trustedProxyHops: number;
  /** Retries of a reply the connector refused with a server error or a dropped connection (never of a timed-out one, which may have arrived). */
  connectorRetries: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  maxBodyBytes: 2 * 1024 * 1024,
  maxJsonDepth: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleSocketMs: 30_000,
  connectionsPerClient: 256,
  requestsPerClientPerSecond: 100,
  activitiesPerConversationPerMinute: 60,
  newConversationsPerClientPerMinute: 30,
  trustedProxyHops: 0,
  connectorTimeoutMs: 10_000,
  connectorRetries: 2,
};
