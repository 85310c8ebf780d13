// Gitter's wire types as the network interface's values (src/network), and Gitter's errors as NetworkErrors.
// Pure; never throws.
import { isNetworkError, kindOfStatus, NetworkError, type NetworkErrorKind } from "../network/errors";
import type { NetworkMention, NetworkMessage, NetworkRoom, NetworkUser, SendProbe } from "../network/types";
import { GitterApiError, GitterBadResponseError, GitterError, GitterMaybeDeliveredError, GitterNetworkError } from "./errors";
import type { GitterMention, GitterMessage, GitterRoom, GitterUser } from "./types";

export const GITTER = "Gitter";

export function toUser(u: Pick<GitterUser, "id" | "username"> & { displayName?: string; avatarUrl?: string }): NetworkUser {
  const user: NetworkUser = { id: u.id, username: u.username, displayName: u.displayName || u.username };
  if (u.avatarUrl) user.avatarUrl = u.avatarUrl;
  return user;
}

/** Gitter's web site, where every room and person has a page (`gitter.im/org/room`, `gitter.im/username`). */
export const GITTER_WEB = "https://gitter.im";

/**
 * Gitter has rooms and one-to-one rooms only: no group-direct, no spaces to qualify a name. A room's name is
 * Gitter's own: its uri, the other person's display name for a one-to-one (zero804/gitter
 * server/serializers/rest/troupe-strategy.js), falling back to the username where that is empty. A room
 * in a community (the first part of `org/room`) has it as its space.
 */
export function toRoom(r: GitterRoom): NetworkRoom {
  // Rooms that came from a realtime update may lack `url`; a one-to-one chat's page is the other person's.
  const webUrl = `${GITTER_WEB}/${r.uri ?? r.user?.username ?? (r.url ?? "").replace(/^\/+/, "")}`;
  if (r.oneToOne) {
    const room: NetworkRoom = { id: r.id, kind: "direct", name: r.name || r.user?.displayName || r.user?.username || "", webUrl };
    if (r.user) room.otherUserIds = [r.user.id];
    if (r.user) room.others = [toUser(r.user)];
    if (r.avatarUrl) room.avatarUrl = r.avatarUrl;
    return room;
  }
  const room: NetworkRoom = { id: r.id, kind: "group", name: r.name || r.uri || "", webUrl };
  if (r.topic) room.topic = r.topic;
  if (r.avatarUrl) room.avatarUrl = r.avatarUrl;
  if (r.uri) room.link = r.uri;
  const community = r.uri?.includes("/") ? r.uri.split("/")[0] : undefined;
  if (community) room.space = { id: community, name: community, webUrl: `${GITTER_WEB}/${community}` };
  return room;
}

/**
 * A message's id is its cursor: ObjectIds of one length whose time prefix rises sort in creation order. Its version
 * `v` (raised on every save) is its revision, so an edit replayed keeps the Matrix transaction id it had.
 */
export function toMessage(roomId: string, m: GitterMessage): NetworkMessage {
  const msg: NetworkMessage = {
    id: m.id,
    roomId,
    senderId: m.fromUser.id,
    sender: toUser(m.fromUser),
    kind: m.status ? "emote" : "text",
    text: m.text,
    html: m.html,
    sentAt: Date.parse(m.sent),
    cursor: m.id,
  };
  if (m.parentId) msg.threadId = m.parentId;
  if (m.editedAt) msg.editedAt = Date.parse(m.editedAt);
  if (typeof m.v === "number") msg.revision = String(m.v);
  const mentions = toMentions(m.mentions);
  if (mentions) msg.mentions = mentions;
  return msg;
}

/**
 * Gitter lists every `@name` it rendered as a mention, with `userId` when a user has that name; a list that is
 * null or not one says nobody is mentioned. Items without a screen name name nobody and are left out.
 */
function toMentions(list: GitterMention[] | null | undefined): NetworkMention[] | undefined {
  if (list === undefined) return undefined;
  const items: unknown[] = Array.isArray(list) ? list : [];
  return items.flatMap((item) => {
    const m = item as Partial<GitterMention> | null;
    if (typeof m?.screenName !== "string") return [];
    return [typeof m.userId === "string" ? { username: m.screenName, userId: m.userId } : { username: m.screenName }];
  });
}

/** How far Gitter's clock may lag ours when looking for an unconfirmed send. */
export const CLOCK_SKEW_MS = 60_000;

/**
 * True when `m` may be the result of the send `probe` describes: `selfId`'s, of the same text (trailing whitespace
 * and line endings aside) in the same thread, sent no earlier than the probe's time less the clock skew.
 */
export function matchesProbe(m: NetworkMessage, probe: SendProbe, selfId: string): boolean {
  if (m.senderId !== selfId || normalise(m.text) !== normalise(probe.text)) return false;
  if ((m.threadId ?? null) !== (probe.threadId ?? null)) return false;
  return Number.isNaN(m.sentAt) || m.sentAt >= probe.since - CLOCK_SKEW_MS;
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, "\n").trimEnd();
}

/** Any error of the Gitter client as the NetworkError the core decides on; others pass through unchanged. */
export function toNetworkError(err: unknown): unknown {
  if (!(err instanceof GitterError) || err instanceof NetworkError) return err;
  const status = err.answerStatus;
  return new NetworkError(kindOf(err), GITTER, err.message, { userMessage: err.userMessage, status, cause: err });
}

function kindOf(err: GitterError): NetworkErrorKind {
  if (err instanceof GitterMaybeDeliveredError) return "maybe-delivered";
  if (err instanceof GitterNetworkError) return "unavailable";
  if (err instanceof GitterBadResponseError) return "bad-response";
  if (!(err instanceof GitterApiError)) return err.transient ? "unavailable" : "rejected";
  return kindOfStatus(err.status);
}

/** Gitter's edit window (API reference 3.3). */
const EDIT_WINDOW_MINUTES = 10;

/**
 * An edit's failure as a NetworkError; Gitter refuses an edit past its window with a bare 400, so a "rejected" edit
 * tells the person about the window.
 */
export function toEditError(err: unknown): unknown {
  const e = toNetworkError(err);
  if (!isNetworkError(e, "rejected")) return e;
  const userMessage =
    `Gitter only lets you edit a message for ${EDIT_WINDOW_MINUTES} minutes after sending it, so Gitter still shows the old ` +
    "text. Send a new message to correct it.";
  return new NetworkError("rejected", GITTER, e.message, { userMessage, status: e.answerStatus, cause: err });
}

/** Runs a client call, turning its errors into NetworkErrors. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toNetworkError(err);
  }
}
