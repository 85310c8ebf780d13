// Which of the user's rooms are bridged, from the network's room list, and following its changes. A room the user
// closed (`hidden`: a hidden Gitter one-to-one) is still theirs, and comes back with a new message: the network
// then reports its unread messages rising, not a room added. The bridge shows a room that is not hidden or has
// unread messages, as Gitter's clients do (see docs/gitter-fidelity.md), and opens a closed direct room again when
// a new message comes into it, from its first unread message.
import type { NetworkClient } from "../network/connector";
import type { RoomsEvent } from "../network/realtime";
import type { Cursor, NetworkRoom } from "../network/types";
import { getLogger } from "../util/log";

const log = getLogger("room-list");

export const LEFT_ON_GITTER = "You left this room on Gitter; it is no longer bridged, and nothing sent here goes to Gitter.";
const HIDDEN_ON_GITTER = "You hid this chat on Gitter; it is no longer bridged. A new message in it opens it again.";

/** Whether a listed room is one to bridge: not hidden, or with unread messages. */
export function isShown(room: Pick<NetworkRoom, "hidden" | "unread">): boolean {
  return room.hidden !== true || room.unread === true;
}

const isDirect = (room: Pick<NetworkRoom, "kind">) => room.kind !== "group";

/** What the follower needs from the user's session. */
export interface RoomListHost {
  readonly network: Pick<NetworkClient, "getRoom" | "cursorBeforeUnread">;
  /** Whether the room has a portal, or one is being opened. */
  hasPortal(roomId: string): boolean;
  /** Whether the room added is a direct room the user is making in Matrix (direct-chats.ts). */
  adopting(room: NetworkRoom): boolean;
  open(room: NetworkRoom, startAfter?: Cursor): Promise<unknown>;
  close(roomId: string, reason: string): Promise<void>;
}

/** Follows the changes of the user's room list: joins open portals, leaves and hiding close them. */
export class RoomListFollower {
  /** Direct rooms the user is in without a portal: a new message into one opens it again. */
  private readonly hiddenDirect = new Set<string>();

  constructor(private readonly host: RoomListHost) {}

  /** The room list at start (`listRooms`): the rooms to bridge. */
  listed(rooms: NetworkRoom[]): NetworkRoom[] {
    for (const r of rooms) if (isDirect(r) && !isShown(r)) this.hiddenDirect.add(r.id);
    return rooms.filter(isShown);
  }

  /** A portal was closed; a direct room's comes back with its next message. */
  closed(roomId: string, direct: boolean): void {
    if (direct) this.hiddenDirect.add(roomId);
  }

  opened(roomId: string): void {
    this.hiddenDirect.delete(roomId);
  }

  onEvent(event: RoomsEvent): void {
    const fail = (what: string) => (err: Error) => log.error(what, { gitterRoom: event.roomId, error: err });
    const known = this.host.hasPortal(event.roomId);
    if (event.change === "added") {
      void this.added(event).catch(fail("could not open a portal for a room joined on the network"));
    } else if (event.change === "removed") {
      void this.host.close(event.roomId, LEFT_ON_GITTER).catch(fail("could not close a portal"));
    } else if (event.change === "hidden" && known) {
      void this.host.close(event.roomId, HIDDEN_ON_GITTER).catch(fail("could not close a portal"));
    } else if (event.change === "unread" && !known && this.hiddenDirect.has(event.roomId)) {
      void this.reopen(event.roomId).catch(fail("could not open a portal for a direct room with new messages"));
    }
  }

  /** A room joined or opened: its portal opens, unless it is a direct room the user is making in Matrix. */
  private async added(event: RoomsEvent): Promise<void> {
    const room = event.room ?? (await this.host.network.getRoom(event.roomId));
    if (!this.host.adopting(room)) await this.host.open(room);
  }

  /**
   * Opens a closed direct room's portal again, from its first unread message. Only direct rooms: a group room whose
   * Matrix room the user left is not pressed on them again for every new message (it comes back at the next start).
   */
  private async reopen(roomId: string): Promise<void> {
    this.hiddenDirect.delete(roomId);
    try {
      const room = await this.host.network.getRoom(roomId);
      await this.host.open(room, (await this.host.network.cursorBeforeUnread(roomId)) ?? undefined);
    } catch (err) {
      this.hiddenDirect.add(roomId);
      throw err;
    }
  }
}

/** Where a new portal of a listed room starts: before its first unread message for a direct room with some, else now. */
export async function startOfUnread(network: Pick<NetworkClient, "cursorBeforeUnread">, room: NetworkRoom): Promise<Cursor | undefined> {
  return isDirect(room) && room.unread === true ? ((await network.cursorBeforeUnread(room.id)) ?? undefined) : undefined;
}
