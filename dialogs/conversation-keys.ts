/**
 * A conversation's two keys in the shared store: that of its turns' lease, and that of its bot state.
 * Named once, for the host that runs turns and for what reads a conversation's state outside a turn
 * of its own (taking a rehearsal up elsewhere, keeping an abandoned one).
 */
import type { Activity } from 'botbuilder';

type Addressed = Pick<Activity, 'channelId'> & { conversation?: { id?: string } };

/** `<channel>/<conversation id>`: the key of the conversation's turns (store/conversation-turns.ts). */
export const conversationKeyOf = (activity: Addressed) => `${activity.channelId}/${activity.conversation?.id}`;

/** Where botbuilder's ConversationState keeps the conversation's state (its storage key, no namespace). */
export const conversationStateKeyOf = (activity: Addressed) => `${activity.channelId}/conversations/${activity.conversation?.id}/`;
