/**
 * How the bot endpoint is protected. With a Microsoft app id configured, every request must carry
 * a valid Bot Framework JWT. Without one the bot runs in local anonymous mode: it listens on
 * loopback only, answers only activities whose serviceUrl is on loopback (so it never posts to
 * anywhere else), and refuses to start at all when NODE_ENV is production.
 */
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';

export interface BotCredentials {
  MicrosoftAppId?: string;
  MicrosoftAppPassword?: string;
  MicrosoftAppType?: string;
  MicrosoftAppTenantId?: string;
}

export type SecurityMode =
  | { kind: 'authenticated'; appId: string; auth: ConfigurationBotFrameworkAuthentication; host: string }
  | { kind: 'local-anonymous'; auth: ConfigurationBotFrameworkAuthentication; host: '127.0.0.1' };

/** The bot cannot start as configured: the message says what to set. */
export class BotConfigurationError extends Error {}

export function securityMode(credentials: BotCredentials, nodeEnv: string | undefined, host = '0.0.0.0'): SecurityMode {
  const appId = credentials.MicrosoftAppId?.trim();
  if (appId) {
    try {
      const auth = new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: appId,
        MicrosoftAppPassword: credentials.MicrosoftAppPassword,
        MicrosoftAppType: credentials.MicrosoftAppType || 'SingleTenant',
        MicrosoftAppTenantId: credentials.MicrosoftAppTenantId,
      });
      return { kind: 'authenticated', appId, auth, host };
    } catch (error) {
      throw new BotConfigurationError(`the Azure Bot settings are incomplete: ${(error as Error).message}`);
    }
  }
  if (nodeEnv === 'production') {
    throw new BotConfigurationError(
      'refusing to start: NODE_ENV is production but no MicrosoftAppId is set, so the bot endpoint would accept anyone. Set MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType and MicrosoftAppTenantId (see README), or unset NODE_ENV to rehearse locally.',
    );
  }
  return { kind: 'local-anonymous', auth: new ConfigurationBotFrameworkAuthentication({}), host: '127.0.0.1' };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when replies to this serviceUrl would stay on this machine. */
export function isLoopbackUrl(serviceUrl: string | undefined): boolean {
  if (!serviceUrl) return false;
  try {
    const url = new URL(serviceUrl);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}
