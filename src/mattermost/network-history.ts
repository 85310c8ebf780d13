// A Mattermost channel's history as the network interface reads it: pages after a cursor (a post's create_at and
// id, ./network-convert), the latest posts, where a new portal starts, the cursor before the unread posts, and the
// search for a send whose outcome is unknown (by its pending_post_id where the server lists it, else its text).
import { isNetworkError } from "../network/errors";
import type { Cursor, HistoryPage, NetworkMessage, OutgoingMessage, SendProbe } from "../network/types";
import { cursorOf, guarded, parseCursor, toMessage } from "./network-convert";
import type { MattermostClient } from "./rest";
import { MAX_PER_PAGE } from "./rest-posts";
import type { MmPost } from "./types";

/** How far the server's clock may lag ours when looking for an unconfirmed send. */
export const CLOCK_SKEW_MS = 60_000;

export async function historyAfter(rest: MattermostClient, roomId: string, cursor: Cursor, limit: number): Promise<HistoryPage> {
  const { at, postId } = parseCursor(cursor);
  const perPage = Math.max(1, Math.min(limit, MAX_PER_PAGE));
  if (postId) {
    try {
      const page = await guarded(() => rest.postsAfter(roomId, postId, perPage));
      return { messages: page.posts.map(toMessage), more: page.more };
    } catch (err) {
      // The cursor's post is gone for good: go on from its time instead.
      if (!isNetworkError(err, "not-found")) throw err;
    }
  }
  const posts = await createdAfter(rest, roomId, at);
  return { messages: posts.slice(0, perPage).map(toMessage), more: posts.length > perPage };
}

export async function latestMessages(rest: MattermostClient, roomId: string, limit: number): Promise<NetworkMessage[]> {
  return (await guarded(() => rest.latestPosts(roomId, Math.max(1, Math.min(limit, MAX_PER_PAGE))))).map(toMessage);
}

export async function startCursor(rest: MattermostClient, roomId: string): Promise<Cursor> {
  const newest = (await guarded(() => rest.latestPosts(roomId, 1))).at(-1);
  return newest ? cursorOf(newest.create_at, newest.id) : cursorOf(Date.now());
}

/**
 * Mattermost reads by channel: the posts of others after the member's last_viewed_at are unread, so the cursor
 * is that time. The members are walked for the user's own (the core asks this of direct and group channels).
 */
export async function cursorBeforeUnread(rest: MattermostClient, roomId: string, selfId: string): Promise<Cursor | null> {
  const me = (await guarded(() => rest.channelMembers(roomId))).find((m) => m.user_id === selfId);
  const at = me?.last_viewed_at ?? 0;
  return (await createdAfter(rest, roomId, at)).some((p) => p.user_id !== selfId) ? cursorOf(at) : null;
}

/**
 * `selfId`'s posts and /me posts since `probe.since` less the skew, oldest first: the one with the send's
 * `pendingId` (where the server lists it), else the first of the same kind, text and thread.
 */
export async function findOwnMessage(rest: MattermostClient, roomId: string, probe: SendProbe, selfId: string, pendingId: string): Promise<NetworkMessage | null> {
  const probed = { text: probe.text, kind: probe.kind };
  const mine = (await createdAfter(rest, roomId, probe.since - CLOCK_SKEW_MS)).filter((p) => p.user_id === selfId && (p.type === "" || p.type === "me"));
  const byKey = mine.find((p) => p.pending_post_id === pendingId);
  const candidates = byKey ? [byKey] : mine.filter((p) =>
    p.type === (outgoingType(probed) ?? "") && normalise(p.message) === normalise(outgoingText(probed)) && (p.root_id || undefined) === probe.threadId);
  for (const p of candidates) if (!(await probe.isTaken?.(p.id))) return toMessage(p);
  return null;
}

/** A `/me` post is written as the server's /me writes it: `*text*` (server/channels/app/slashcommands/command_me.go). */
export function outgoingText(message: Pick<OutgoingMessage, "text" | "kind">): string {
  return isEmote(message) ? `*${message.text}*` : message.text;
}

/** The post's type: `"me"` for an emote, as the server's /me posts it; none for an ordinary post. */
export function outgoingType(message: Pick<OutgoingMessage, "text" | "kind">): "me" | undefined {
  return isEmote(message) ? "me" : undefined;
}

function isEmote(message: Pick<OutgoingMessage, "text" | "kind">): boolean {
  return message.kind === "emote" && message.text !== "";
}

/** Live posts created after `at`, oldest first (GET posts?since=, at most 1000: enough for a gap of moments). */
async function createdAfter(rest: MattermostClient, roomId: string, at: number): Promise<MmPost[]> {
  const changed = await guarded(() => rest.postsChangedSince(roomId, at));
  return changed.posts.filter((p) => p.create_at > at && p.delete_at === 0).sort((a, b) => a.create_at - b.create_at || (a.id < b.id ? -1 : 1));
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, "\n").trimEnd();
}
