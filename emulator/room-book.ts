// Rooms, memberships and per-user hidden rooms. Membership changes emit userRooms (to the member) and roomUsers
// (to the room) live events, the way Gitter's room-membership events reach Faye.
import type { LiveEvent } from "./live";
import type { IdGenerator } from "./ids";
import type { Json } from "./serialize";
import { ApiError, type EmRoom, type EmUser } from "./types";

export interface NewRoom {
  id?: string;
  uri: string;
  name?: string;
  topic?: string;
  security?: "PUBLIC" | "PRIVATE";
}

/** What RoomBook needs from the state that owns it. */
export interface RoomHost {
  readonly ids: IdGenerator;
  getUser(id: string): EmUser | undefined;
  emitLive(e: LiveEvent): void;
  serializeRoomFor(userId: string, room: EmRoom): Json;
  serializeUser(user: EmUser): Json;
  unread: { clear(userId: string, roomId: string): string[] };
}

export interface RoomBookDump {
  rooms: { room: EmRoom; members: string[] }[];
  groups: [string, string][];
  hidden: { userId: string; roomIds: string[] }[];
}

/** Above this many members a group room gets no member-join pushes (live-collection-room-members.js). */
export const BIG_ROOM_USERS = 100;

export const URI_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9_.-]+)*$/;

export class RoomBook {
  private readonly rooms = new Map<string, EmRoom>();
  private readonly byUri = new Map<string, EmRoom>();
  private readonly byPair = new Map<string, EmRoom>();
  private readonly groups = new Map<string, string>();
  /** roomId -> member ids in join order. */
  private readonly memberships = new Map<string, Set<string>>();
  /** userId -> ids of the rooms they are in, so a room list costs the user's rooms, not every room. */
  private readonly roomsByUser = new Map<string, Set<string>>();
  /** roomId -> creation rank: room lists keep creation order. */
  private readonly rank = new Map<string, number>();
  /** userId -> rooms the user hid from their list. */
  private readonly hidden = new Map<string, Set<string>>();

  constructor(private readonly host: RoomHost) {}

  /** Rooms in creation order with their members, groups and hidden rooms: what a snapshot keeps. */
  dump(): RoomBookDump {
    const rooms = [...this.rooms.values()].map((room) => ({ room: { ...room }, members: [...this.memberships.get(room.id)!] }));
    const hidden = [...this.hidden].map(([userId, ids]) => ({ userId, roomIds: [...ids] }));
    return { rooms, groups: [...this.groups], hidden };
  }

  /** Restores a dump into an empty book, rebuilding the indexes; emits nothing. */
  load(d: RoomBookDump): void {
    for (const [name, id] of d.groups) this.groups.set(name, id);
    for (const { room, members } of d.rooms) {
      this.add(room);
      if (room.uri !== undefined) this.byUri.set(room.uri.toLowerCase(), room);
      if (room.pair) this.byPair.set([...room.pair].sort().join(":"), room);
      for (const userId of members) {
        this.memberships.get(room.id)!.add(userId);
        this.roomsByUser.set(userId, (this.roomsByUser.get(userId) ?? new Set<string>()).add(room.id));
      }
    }
    for (const { userId, roomIds } of d.hidden) this.hidden.set(userId, new Set(roomIds));
  }

  /** Throws ApiError(400) on a malformed uri, 409 on a taken one. */
  create(input: NewRoom): EmRoom {
    if (!URI_PATTERN.test(input.uri)) throw new ApiError(400, `Invalid room uri ${input.uri}`);
    const key = input.uri.toLowerCase();
    if (this.byUri.has(key)) throw new ApiError(409, `Room ${input.uri} already exists`);
    const groupName = input.uri.split("/")[0].toLowerCase();
    let groupId = this.groups.get(groupName);
    if (!groupId) this.groups.set(groupName, (groupId = this.host.ids.next()));
    const room: EmRoom = {
      id: input.id ?? this.host.ids.next(),
      uri: input.uri,
      name: input.name ?? input.uri,
      topic: input.topic ?? "",
      oneToOne: false,
      security: input.security ?? "PUBLIC",
      groupId,
      v: 1,
    };
    this.add(room);
    this.byUri.set(key, room);
    return room;
  }

  private add(room: EmRoom): void {
    this.rooms.set(room.id, room);
    this.rank.set(room.id, this.rank.size);
    this.memberships.set(room.id, new Set());
  }

  get(roomId: string): EmRoom | undefined {
    return this.rooms.get(roomId);
  }

  findByUri(uri: string): EmRoom | undefined {
    return this.byUri.get(uri.toLowerCase());
  }

  all(): EmRoom[] {
    return [...this.rooms.values()];
  }

  isMember(userId: string, roomId: string): boolean {
    return this.memberships.get(roomId)?.has(userId) ?? false;
  }

  /** Whether the user may see the room at all (members always; anyone for public group rooms). */
  canRead(userId: string, room: EmRoom): boolean {
    return this.isMember(userId, room.id) || (!room.oneToOne && room.security === "PUBLIC");
  }

  members(roomId: string): EmUser[] {
    const ids = this.memberships.get(roomId) ?? new Set<string>();
    return [...ids].map((id) => this.host.getUser(id)).filter((u): u is EmUser => Boolean(u));
  }

  /** Rooms in the user's list: joined and not hidden. */
  roomsOf(userId: string): EmRoom[] {
    const hidden = this.hidden.get(userId);
    const ids = [...(this.roomsByUser.get(userId) ?? [])].filter((id) => !hidden?.has(id));
    return ids.sort((a, b) => this.rank.get(a)! - this.rank.get(b)!).map((id) => this.rooms.get(id)!);
  }

  /** Idempotent. A hidden room comes back into the user's list. */
  join(userId: string, roomId: string): EmRoom {
    const room = this.rooms.get(roomId);
    const user = this.host.getUser(userId);
    if (!room || !user) throw new ApiError(404, "Not Found");
    const members = this.memberships.get(roomId)!;
    if (members.has(userId)) {
      this.unhide(userId, roomId);
      return room;
    }
    members.add(userId);
    const mine = this.roomsByUser.get(userId) ?? new Set<string>();
    this.roomsByUser.set(userId, mine.add(roomId));
    room.v += 1;
    // zero804/gitter server/services/live-collection-handlers/live-collection-room-members.js
    // notifyGroupRoomOfAddedUsers: "No point in notifing large rooms". It reads the room's userCount as the
    // join's event arrives, before room-membership-service.js addRoomMember raises it: the members before this one.
    const bigRoom = !room.oneToOne && members.size - 1 > BIG_ROOM_USERS;
    if (!bigRoom) this.host.emitLive({ kind: "roomUsers", roomId, operation: "create", model: this.host.serializeUser(user) });
    this.host.emitLive({ kind: "userRooms", userId, operation: "create", model: this.host.serializeRoomFor(userId, room) });
    return room;
  }

  /** Throws ApiError(400) for one-to-one rooms, which cannot be left, only hidden. */
  leave(userId: string, roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room) throw new ApiError(404, "Not Found");
    if (room.oneToOne) throw new ApiError(400, "This room does not support removing.");
    const members = this.memberships.get(roomId)!;
    if (!members.delete(userId)) return;
    this.roomsByUser.get(userId)?.delete(roomId);
    room.v += 1;
    this.hidden.get(userId)?.delete(roomId);
    this.host.unread.clear(userId, roomId);
    this.host.emitLive({ kind: "userRooms", userId, operation: "remove", model: { id: roomId } });
    this.host.emitLive({ kind: "roomUsers", roomId, operation: "remove", model: { id: userId } });
  }

  hide(userId: string, roomId: string): void {
    if (!this.isMember(userId, roomId)) return;
    const set = this.hidden.get(userId) ?? new Set<string>();
    this.hidden.set(userId, set);
    if (set.has(roomId)) return;
    set.add(roomId);
    this.host.emitLive({ kind: "userRooms", userId, operation: "remove", model: { id: roomId } });
  }

  /** Puts a hidden room back in the user's list (a new message does that in Gitter). */
  unhide(userId: string, roomId: string): void {
    const room = this.rooms.get(roomId);
    if (!room || !this.hidden.get(userId)?.delete(roomId)) return;
    this.host.emitLive({ kind: "userRooms", userId, operation: "create", model: this.host.serializeRoomFor(userId, room) });
  }

  /** Finds or creates the one-to-one room of two users; both become members. Throws 404 for oneself. */
  openOneToOne(userId: string, otherId: string, id?: string): EmRoom {
    if (userId === otherId) throw new ApiError(404, "Not Found");
    const key = [userId, otherId].sort().join(":");
    let room = this.byPair.get(key);
    if (!room) {
      room = { id: id ?? this.host.ids.next(), name: "", topic: "", oneToOne: true, security: "PRIVATE", pair: [userId, otherId], v: 1 };
      this.add(room);
      this.byPair.set(key, room);
    }
    this.join(userId, room.id);
    this.join(otherId, room.id);
    return room;
  }

  /** Public group rooms whose uri or name contains the term, case-insensitively. */
  search(term: string): EmRoom[] {
    const t = term.toLowerCase();
    return this.all().filter(
      (r) => !r.oneToOne && r.security === "PUBLIC" && (r.uri!.toLowerCase().includes(t) || r.name.toLowerCase().includes(t)),
    );
  }
}
