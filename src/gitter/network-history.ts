// A Gitter room's history as the network interface reads it: pages after a cursor (a message id: ObjectIds sort
// in creation order), the latest messages, where a new portal starts, and the search for a send whose outcome is
// unknown (Gitter's POST takes no idempotency key, so the user's message is found by author, text, thread and time).
import type { Cursor, HistoryPage, NetworkMessage, SendProbe } from "../network/types";
import { getLogger } from "../util/log";
import { CLOCK_SKEW_MS, guarded, matchesProbe, toMessage } from "./network-convert";
import { objectIdAt } from "./object-id";
import type { GitterRestClient } from "./rest";
import type { GitterMessage } from "./types";

/** Gitter caps a page of messages at 100 (API reference 3.4). */
export const PAGE = 100;
/** Pages of history searched for an unconfirmed send before it counts as not posted. */
const MAX_SEARCH_PAGES = 10;
const log = getLogger("gitter.network");

export async function historyAfter(rest: GitterRestClient, roomId: string, cursor: Cursor, limit: number): Promise<HistoryPage> {
  const page = await pageAfter(rest, roomId, cursor, Math.min(limit, PAGE));
  return { messages: page.messages, more: page.raw.length >= Math.min(limit, PAGE) };
}

/** Without includeThreads, Gitter lists the main timeline only. */
export async function latestMessages(rest: GitterRestClient, roomId: string, limit: number): Promise<NetworkMessage[]> {
  return (await guarded(() => rest.listMessages(roomId, { limit: Math.min(limit, PAGE) }))).map((m) => toMessage(roomId, m));
}

/** The newest message's id, thread replies included; in an empty room, the smallest ObjectId of this second. */
export async function startCursor(rest: GitterRestClient, roomId: string): Promise<Cursor> {
  const newest = await guarded(() => rest.listMessages(roomId, { limit: 1, includeThreads: true }));
  return newest.at(-1)?.id ?? objectIdAt(Date.now());
}

/** Searches history from `since` less the skew for `selfId`'s message of the same text and thread, not taken. */
export async function findOwnMessage(rest: GitterRestClient, roomId: string, probe: SendProbe, selfId: string): Promise<NetworkMessage | null> {
  let cursor = objectIdAt(probe.since - CLOCK_SKEW_MS);
  for (let n = 0; n < MAX_SEARCH_PAGES; n++) {
    const { raw, messages } = await pageAfter(rest, roomId, cursor, PAGE);
    for (const m of messages) if (matchesProbe(m, probe, selfId) && !(await probe.isTaken?.(m.id))) return m;
    if (raw.length < PAGE) return null;
    cursor = raw[raw.length - 1].id;
  }
  log.warn("history search for an unconfirmed send gave up after many pages", { gitterRoom: roomId, pages: MAX_SEARCH_PAGES });
  return null;
}

async function pageAfter(rest: GitterRestClient, roomId: string, afterId: string, limit: number): Promise<{ raw: GitterMessage[]; messages: NetworkMessage[] }> {
  const raw = await guarded(() => rest.listMessages(roomId, { afterId, limit, includeThreads: true }));
  const messages = raw.filter((m) => m.id > afterId).sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => toMessage(roomId, m));
  return { raw, messages };
}
