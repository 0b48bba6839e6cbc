/**
 * Connector clients are built once per app, service URL and audience and reused by later turns,
 * whichever way the adapter asks for them; checking who is calling is still the wrapped
 * authentication's, every time.
 */
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../bot/http-limits.ts';
import { ReusedConnectorClients } from '../bot/reused-connector-clients.ts';

const activity = (serviceUrl: string) =>
  ({ type: 'message', channelId: 'test', serviceUrl, conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' } }) as Activity;

describe('reused connector clients', () => {
  it('gives later turns the client built for the first, per service URL', async () => {
    const auth = new ReusedConnectorClients(new ConfigurationBotFrameworkAuthentication({}), DEFAULT_HTTP_LIMITS);
    const first = await auth.authenticateRequest(activity('http://127.0.0.1:1'), '');
    const second = await auth.authenticateRequest(activity('http://127.0.0.1:1'), '');
    const a = await first.connectorFactory!.create('http://127.0.0.1:1');
    const b = await second.connectorFactory!.create('http://127.0.0.1:1');
    const other = await second.connectorFactory!.create('http://127.0.0.1:2');
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(await auth.createConnectorFactory(first.claimsIdentity).create('http://127.0.0.1:1')).toBe(a);
    expect(await auth.createUserTokenClient(first.claimsIdentity)).toBe(await auth.createUserTokenClient(second.claimsIdentity));
  });

  it('still refuses a caller the wrapped authentication refuses', async () => {
    const auth = new ReusedConnectorClients(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: 'app-id',
        MicrosoftAppPassword: 'secret',
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: 'tenant',
      }),
      DEFAULT_HTTP_LIMITS,
    );
    await expect(auth.authenticateRequest(activity('https://smba.trafficmanager.net/uk/'), '')).rejects.toThrow(/Unauthorized/);
  });
});
