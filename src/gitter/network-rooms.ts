// Gitter's room list as the network interface says it: which listed rooms are hidden or unread, what a push to the
// user's room list means, and where a room opened for its unread messages starts. Gitter lists every room the user
// is a member of, hidden ones too, and rooms where they were only mentioned (`roomMember: false`, not theirs). A
// hidden room has no `lastAccessTime`; hiding pushes a patch with `lastAccessTime: null`, not a remove, and a new
// message into a hidden room pushes only its raised unread counts, no `create` (docs/gitter-fidelity.md).
import type { RoomsChange, RoomsEvent } from "../network/realtime";
import type { Cursor, NetworkRoom } from "../network/types";
import { toRoom } from "./network-convert";
import { objectIdAt } from "./object-id";
import type { GitterRestClient } from "./rest";
import type { GitterRoom, LiveOperation } from "./types";

type Pushed = Partial<GitterRoom> & { id: string };

/**
 * A listed room with what Gitter's clients decide on: hidden without a last access time (zero804/gitter
 * server/serializers/rest/troupe-strategy.js `lastAccessTime`), unread with unread items or mentions.
 */
export function toListedRoom(r: GitterRoom): NetworkRoom {
  return { ...toRoom(r), hidden: typeof r.lastAccessTime !== "string", unread: r.unreadItems > 0 || r.mentions > 0 };
}

/**
 * What a push to the user's room list (`/user/<id>/rooms`) means, as a network event; undefined for what the
 * bridge does not follow. A `create` of a room the user was only mentioned in, or without the room's model, is
 * not a room of theirs being added. A patch hides (`lastAccessTime: null`, zero804/gitter
 * modules/rooms/lib/room-service.js hideRoomFromUser), raises the unread counts (server/event-listeners/
 * bayeux-events-bridge.js onTroupeUnreadCountsChange), or renames.
 */
export function toRoomsEvent(op: LiveOperation, room: Pushed): RoomsEvent | undefined {
  const event = (change: RoomsChange): RoomsEvent => ({ type: "rooms", change, roomId: room.id });
  if (op === "create") {
    return room.roomMember !== false && isFullRoom(room) ? { type: "rooms", change: "added", roomId: room.id, room: toRoom(room) } : undefined;
  }
  if (op === "remove") return event("removed");
  if (op === "patch" && "lastAccessTime" in room && room.lastAccessTime === null) return event("hidden");
  const count = (v: unknown) => (typeof v === "number" ? v : 0);
  if (op === "patch" && (count(room.unreadItems) > 0 || count(room.mentions) > 0)) return event("unread");
  return room.name !== undefined || room.topic !== undefined ? event("changed") : undefined;
}

function isFullRoom(room: Pushed): room is GitterRoom {
  return typeof room.name === "string" && typeof room.oneToOne === "boolean";
}

/**
 * Gitter reads by unread item: the message before the oldest unread one (thread replies included), or the cursor
 * before every message when that one is the room's first; null when nothing is unread. Throws the REST client's
 * errors.
 */
export async function gitterCursorBeforeUnread(rest: GitterRestClient, roomId: string): Promise<Cursor | null> {
  const unread = await rest.getUnreadItems(roomId);
  const oldest = [...unread.chat, ...unread.mention].sort()[0];
  if (oldest === undefined) return null;
  const before = await rest.listMessages(roomId, { beforeId: oldest, limit: 1, includeThreads: true });
  return before.at(-1)?.id ?? objectIdAt(0);
}
