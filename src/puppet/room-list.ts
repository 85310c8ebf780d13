// What the user's Gitter room list says about which rooms are bridged, and following its pushes. Gitter lists
// every room the user is a member of, hidden ones too, and rooms where they were only mentioned (`roomMember:
// false`). A hidden room has no `lastAccessTime`; hiding pushes a patch with `lastAccessTime: null`, not a remove,
// and a new message into a hidden room pushes only its raised unread counts, no `create`. Gitter's clients show a
// room that was visited or has unread items, and so does the bridge (see docs/gitter-fidelity.md).
import { objectIdAt } from "../gitter/object-id";
import type { GitterRestClient } from "../gitter/rest";
import type { GitterRoom } from "../gitter/types";
import { getLogger } from "../util/log";

const log = getLogger("room-list");

export const LEFT_ON_GITTER = "You left this room on Gitter; it is no longer bridged, and nothing sent here goes to Gitter.";
const HIDDEN_ON_GITTER = "You hid this chat on Gitter; it is no longer bridged. A new message in it opens it again.";

type Listed = Pick<GitterRoom, "roomMember" | "lastAccessTime" | "unreadItems" | "mentions">;
type Pushed = Partial<GitterRoom> & { id: string };

/** Whether a listed room is one to bridge: the user is a member, and it is not hidden or has unread messages. */
export function isShown(room: Listed): boolean {
  if (room.roomMember === false) return false;
  return typeof room.lastAccessTime === "string" || room.unreadItems > 0 || room.mentions > 0;
}

/**
 * What a `patch` of the user's room list means: "hidden" (on Gitter, or by gpart), "unread" (its unread counts
 * rose: a new message, also into a hidden room), or nothing the bridge follows.
 */
export function patchMeaning(model: Record<string, unknown>): "hidden" | "unread" | "none" {
  if ("lastAccessTime" in model && model.lastAccessTime === null) return "hidden";
  const count = (v: unknown) => (typeof v === "number" ? v : 0);
  return count(model.unreadItems) > 0 || count(model.mentions) > 0 ? "unread" : "none";
}

/** What the follower needs from the user's session. */
export interface RoomListHost {
  readonly rest: GitterRestClient;
  /** Whether the room has a portal, or one is being opened. */
  hasPortal(roomId: string): boolean;
  /** Whether a `create` of this one-to-one is for a room the user is making in Matrix (direct-chats.ts). */
  adopting(room: Pushed): boolean;
  open(room: GitterRoom, startAfter?: string): Promise<unknown>;
  close(roomId: string, reason: string): Promise<void>;
}

/** Follows the pushes of the user's room list: joins open portals, leaves and hiding close them. */
export class RoomListFollower {
  /** One-to-ones the user is in without a portal: a new message into one opens it again. */
  private readonly hiddenDirect = new Set<string>();

  constructor(private readonly host: RoomListHost) {}

  /** The room list at start: the rooms to bridge. */
  listed(rooms: GitterRoom[]): GitterRoom[] {
    for (const r of rooms) if (r.oneToOne && r.roomMember !== false && !isShown(r)) this.hiddenDirect.add(r.id);
    return rooms.filter(isShown);
  }

  /** A portal was closed; a one-to-one's comes back with its next message. */
  closed(roomId: string, oneToOne: boolean): void {
    if (oneToOne) this.hiddenDirect.add(roomId);
  }

  opened(roomId: string): void {
    this.hiddenDirect.delete(roomId);
  }

  onPush(operation: string, room: Pushed): void {
    const fail = (what: string) => (err: Error) => log.error(what, { gitterRoom: room.id, error: err });
    if (operation === "create" && room.roomMember !== false && isFullRoom(room) && !this.host.adopting(room)) {
      void this.host.open(room).catch(fail("could not open a portal for a room joined on Gitter"));
    } else if (operation === "remove") {
      void this.host.close(room.id, LEFT_ON_GITTER).catch(fail("could not close a portal"));
    } else if (operation === "patch") {
      const meaning = patchMeaning(room);
      const known = this.host.hasPortal(room.id);
      if (meaning === "hidden" && known) void this.host.close(room.id, HIDDEN_ON_GITTER).catch(fail("could not close a portal"));
      if (meaning === "unread" && !known && this.hiddenDirect.has(room.id)) {
        void this.reopen(room.id).catch(fail("could not open a portal for a one-to-one with new messages"));
      }
    }
  }

  /**
   * Opens a hidden one-to-one's portal again, from its first unread message. Only one-to-ones: a group room whose
   * Matrix room the user left is not pressed on them again for every new message (it comes back at the next start).
   */
  private async reopen(roomId: string): Promise<void> {
    this.hiddenDirect.delete(roomId);
    try {
      const room = await this.host.rest.getRoom(roomId);
      await this.host.open(room, await cursorBeforeUnread(this.host.rest, roomId));
    } catch (err) {
      this.hiddenDirect.add(roomId);
      throw err;
    }
  }
}

function isFullRoom(room: Pushed): room is GitterRoom {
  return typeof room.name === "string" && typeof room.oneToOne === "boolean";
}

/**
 * Where a portal opened for unread messages starts: at the message before the oldest unread one, so that the
 * messages which brought the room back are bridged. Undefined when nothing is unread (a new portal then starts
 * from now). May throw the REST client's errors.
 */
/** Where a new portal of `room` starts: before its first unread message for a one-to-one with some, else now. */
export async function startOfUnread(rest: GitterRestClient, room: GitterRoom): Promise<string | undefined> {
  return room.oneToOne && (room.unreadItems > 0 || room.mentions > 0) ? cursorBeforeUnread(rest, room.id) : undefined;
}

export async function cursorBeforeUnread(rest: GitterRestClient, roomId: string): Promise<string | undefined> {
  const unread = await rest.getUnreadItems(roomId);
  const oldest = [...unread.chat, ...unread.mention].sort()[0];
  if (oldest === undefined) return undefined;
  const before = await rest.listMessages(roomId, { beforeId: oldest, limit: 1, includeThreads: true });
  return before.at(-1)?.id ?? objectIdAt(0);
}
