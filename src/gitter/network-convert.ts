// Gitter's wire types as the network interface's values (src/network), and Gitter's errors as NetworkErrors.
// Pure; never throws.
import { kindOfStatus, NetworkError, type NetworkErrorKind } from "../network/errors";
import type { NetworkMessage, NetworkRoom, NetworkUser } from "../network/types";
import { GitterApiError, GitterBadResponseError, GitterError, GitterMaybeDeliveredError, GitterNetworkError } from "./errors";
import type { GitterMessage, GitterRoom, GitterUser } from "./types";

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

/** A message's id is its cursor: ObjectIds of one length whose time prefix rises sort in creation order. */
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
  return msg;
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

/** Runs a client call, turning its errors into NetworkErrors. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toNetworkError(err);
  }
}
