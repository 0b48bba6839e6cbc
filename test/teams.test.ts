/**
 * What is particular to Microsoft Teams: the app package, learner identity from the Azure AD object
 * id and tenant, @mentions removed, Action.Execute card actions arriving as invokes, and welcome on
 * installation. Also: the endpoint's security modes.
 */
import { TestAdapter, type Activity } from 'botbuilder';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { createBot } from '../bot/create-bot.ts';
import { isLoopbackUrl, securityMode } from '../bot/security-mode.ts';
import { buildTeamsAppPackage } from '../bot/teams-app-package.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import { MemoryEvidenceStore } from '../store/memory-evidence-store.ts';
import { CohortStore } from '../store/cohort-store.ts';
import { MemoryKeyValueStore } from '../store/memory-key-value-store.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';

const library = await loadLibrary();
const APP_ID = '11111111-2222-3333-4444-555555555555';

describe('the Teams app package', () => {
  it('holds a 1.19 manifest for a personal-scope bot with its commands, and both icons at the right sizes', async () => {
    const zip = await JSZip.loadAsync(
      await buildTeamsAppPackage({
        MicrosoftAppId: APP_ID,
        SERVICESIM_ORGANISATION: 'Example College',
        SERVICESIM_WEBSITE_URL: 'https://example.ac.uk/servicesim',
      }),
    );
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.manifestVersion).toBe('1.19');
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]).toMatchObject({ botId: APP_ID, scopes: ['personal'] });
    const commands = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(commands).toEqual(expect.arrayContaining(['scenarios', 'end', 'history', 'join', 'privacy', 'my data', 'help']));
    // Teams shows at most 10 commands in a list.
    expect(commands.length).toBeLessThanOrEqual(10);
    expect(manifest.developer.privacyUrl).toBe('https://example.ac.uk/servicesim/privacy');
    expect(JSON.stringify(manifest)).not.toContain('${{');
    const size = async (name: string) => {
      const png = await zip.file(name)!.async('nodebuffer');
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    expect(await size('color.png')).toEqual([192, 192]);
    expect(await size('outline.png')).toEqual([32, 32]);
  });

  it('refuses an app id that is not a GUID, and a website that is not https', async () => {
    await expect(
      buildTeamsAppPackage({ MicrosoftAppId: 'my-bot', SERVICESIM_ORGANISATION: 'x', SERVICESIM_WEBSITE_URL: 'https://x.org' }),
    ).rejects.toThrow(/GUID/);
    await expect(
      buildTeamsAppPackage({ MicrosoftAppId: APP_ID, SERVICESIM_ORGANISATION: 'x', SERVICESIM_WEBSITE_URL: 'http://x.org' }),
    ).rejects.toThrow(/https/);
  });
});

describe('the bot in Teams', () => {
  const teamsActivity = (overrides: Partial<Activity>): Partial<Activity> => ({
    channelId: 'msteams',
    from: { id: '29:teams-user', name: 'Priya', aadObjectId: 'aad-object-1' } as Activity['from'],
    conversation: { id: 'a:personal-chat', tenantId: 'tenant-9', conversationType: 'personal' } as Activity['conversation'],
    recipient: { id: '28:servicesim', name: 'ServiceSim' } as Activity['recipient'],
    ...overrides,
  });

  async function teams() {
    const evidence = new MemoryEvidenceStore();
    const state = new MemoryKeyValueStore();
    const bot = createBot({ library, state, evidence });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    const replies: Partial<Activity>[] = [];
    const send = async (activity: Partial<Activity>) => {
      const before = replies.length;
      await adapter.processActivity(teamsActivity(activity) as Activity);
      while (adapter.activeQueue.length > 0) replies.push(adapter.activeQueue.shift()!);
      return replies.slice(before);
    };
    return { send, evidence, state };
  }
  const texts = (activities: Partial<Activity>[]) =>
    activities
      .filter((a) => a.text)
      .map((a) => a.text!)
      .join('\n');

  it('welcomes the learner when the app is installed, with Universal Action buttons', async () => {
    const { send } = await teams();
    const replies = await send({ type: 'installationUpdate', action: 'add' });
    expect(texts(replies)).toMatch(/Welcome to ServiceSim/);
    const card = JSON.stringify(replies.find((r) => r.attachments)?.attachments?.[0]?.content);
    expect(card).toContain('"type":"Action.Execute"');
    expect(card).toContain('"fallback":{"type":"Action.Submit"');
  });

  it('reads commands with the @mention removed, starts from an Action.Execute invoke, and files evidence under tenant and AAD id', async () => {
    const { send, evidence } = await teams();
    await send({ type: 'installationUpdate', action: 'add' });
    const help = await send({
      type: 'message',
      text: '<at>ServiceSim</at> help',
      entities: [{ type: 'mention', mentioned: { id: '28:servicesim', name: 'ServiceSim' }, text: '<at>ServiceSim</at>' }],
    });
    expect(texts(help)).toMatch(/Commands:/);
    const started = await send({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'start', data: { action: 'start', scenarioId: 'gym-cancellation-fee' } } },
    });
    expect(JSON.stringify(started)).toContain('Relocating member');
    expect(started.find((r) => r.type === 'invokeResponse')?.value).toMatchObject({ status: 200 });
    await send({ type: 'message', text: "I'm sorry to hear that. What were you told when you joined?" });
    await send({ type: 'message', text: 'end' });
    const [record] = await evidence.listFor('tenant-9/aad-object-1');
    expect(record).toMatchObject({
      learner: { id: 'tenant-9/aad-object-1', name: 'Priya', tenantId: 'tenant-9' },
      scenario: { id: 'gym-cancellation-fee' },
    });
  });

  it('joins a cohort with the name Teams gives, without asking for one, and shows the assignment with an Action.Execute start', async () => {
    const { send, state } = await teams();
    const cohorts = new CohortStore(state);
    const cohort = await cohorts.create({ name: 'Evening class', unit: 'CS17', tutor: 'ann@example.org' });
    await cohorts.assign(cohort.id, {
      scenarioId: 'gym-cancellation-fee',
      due: '2099-01-01',
      mode: 'assessment',
      setBy: 'ann@example.org',
    });
    const joined = await send({ type: 'message', text: `join ${cohort.joinCode}` });
    expect(texts(joined)).toMatch(/You have joined \*\*Evening class\*\* \(unit CS17\) as Priya/);
    expect((await cohorts.get(cohort.id))?.members).toEqual([
      expect.objectContaining({ learnerId: 'tenant-9/aad-object-1', name: 'Priya' }),
    ]);
    const picker = JSON.stringify(await send({ type: 'message', text: 'scenarios' }));
    expect(picker).toContain('Assigned to you');
    expect(picker).toContain('"verb":"start","data":{"action":"start","scenarioId":"gym-cancellation-fee"}');
  });

  it("refreshes a debrief card for its learner as they view it, with the tutor's review signed since, and for no one else", async () => {
    const { send, evidence, state } = await teams();
    await send({ type: 'installationUpdate', action: 'add' });
    await send({ type: 'message', text: 'start gym-cancellation-fee' });
    await send({ type: 'message', text: "I'm sorry to hear that. What were you told when you joined?" });
    const ended = await send({ type: 'message', text: 'end' });
    const debrief = ended.flatMap((r) => r.attachments ?? []).find((a) => JSON.stringify(a.content).includes('Debrief'))!.content as {
      refresh: { action: { verb: string; data: unknown }; userIds: string[] };
    };
    // Refreshed automatically for the learner it was sent to only (Teams' user id, not their AAD object id).
    expect(debrief.refresh.userIds).toEqual(['29:teams-user']);
    expect(debrief.refresh.action).toMatchObject({ type: 'Action.Execute', verb: 'refreshDebrief' });
    const [record] = await evidence.listFor('tenant-9/aad-object-1');
    const refresh = (from?: Partial<Activity['from']>) =>
      send({
        type: 'invoke',
        name: 'adaptiveCard/action',
        ...(from ? { from: from as Activity['from'] } : {}),
        value: {
          action: { type: 'Action.Execute', verb: debrief.refresh.action.verb, data: debrief.refresh.action.data },
          trigger: 'automatic',
        },
      });
    const bodyOf = (replies: Partial<Activity>[]) =>
      (
        replies.find((r) => r.type === 'invokeResponse')?.value as {
          status: number;
          body: { statusCode: number; type: string; value: unknown };
        }
      ).body;

    const before = bodyOf(await refresh());
    expect(before).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(before.value)).not.toContain('Nina Shah');

    await new KeyValueReviewStore(state).append({
      id: 'review-1',
      recordId: record!.id,
      reviewer: { id: 'nina@example.ac.uk', name: 'Nina Shah' },
      at: new Date().toISOString(),
      dimensions: {},
      comments: [],
      feedback: 'Good questions about what they were told at joining.',
      verdict: 'meets-standard',
    });
    const after = await refresh();
    // The card comes back in the invoke's response; nothing is posted to the chat.
    expect(after.filter((r) => r.type === 'message')).toEqual([]);
    const card = JSON.stringify(bodyOf(after).value);
    expect(card).toContain('Good questions about what they were told at joining.');
    expect(card).toContain('"userIds":["29:teams-user"]');

    // Another learner (a forwarded card, or a forged invoke) gets no card of someone else's rehearsal.
    const stranger = bodyOf(await refresh({ id: '29:someone-else', name: 'Sam', aadObjectId: 'aad-object-2' } as Activity['from']));
    expect(stranger).toMatchObject({ statusCode: 404, type: 'application/vnd.microsoft.error' });
    expect(JSON.stringify(stranger)).not.toContain('Good questions');
  });
});

describe('the endpoint security modes', () => {
  it('authenticates when an app id is set, runs anonymous on loopback without one, and refuses anonymous in production', () => {
    expect(securityMode({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppTenantId: 'tenant-9' }, 'production').kind).toBe(
      'authenticated',
    );
    expect(() => securityMode({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' }, 'production')).toThrow(
      /MicrosoftAppTenantId is required/,
    );
    expect(securityMode({}, 'development')).toMatchObject({ kind: 'local-anonymous', host: '127.0.0.1' });
    expect(() => securityMode({ MicrosoftAppId: '  ' }, 'production')).toThrow(/refusing to start/);
  });

  it('counts only loopback addresses as local service URLs', () => {
    expect(['http://localhost:3978', 'http://127.0.0.1:5000/x', 'http://[::1]:80'].map(isLoopbackUrl)).toEqual([true, true, true]);
    expect(
      ['https://smba.trafficmanager.net/uk/', 'http://localhost.evil.com', 'file:///etc/passwd', 'not a url', undefined].map(isLoopbackUrl),
    ).toEqual([false, false, false, false, false]);
  });
});
