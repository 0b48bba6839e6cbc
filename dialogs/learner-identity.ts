/**
 * Who the learner is, from an activity: in Teams the tenant and the Azure AD object id (stable
 * across devices and conversations); elsewhere the channel and the user id the client sends.
 */
import type { Activity } from 'botbuilder';
import type { Learner } from '../engine/evidence-record.ts';

export function learnerOf(activity: Activity): Learner {
  // Only Teams (whose activities the Bot Framework token vouches for) sets these; elsewhere a client could claim them.
  const teams = activity.channelId === 'msteams';
  const tenantId = teams
    ? (activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id)
    : undefined;
  const aad = teams ? activity.from?.aadObjectId : undefined;
  const id = aad ? `${tenantId ?? 'no-tenant'}/${aad}` : `${activity.channelId}/${activity.from?.id ?? 'anonymous'}`;
  return { id, ...(activity.from?.name ? { name: activity.from.name } : {}), ...(tenantId ? { tenantId } : {}) };
}
