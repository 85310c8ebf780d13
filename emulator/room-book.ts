// Rooms and memberships. Membership changes emit userRooms (to the member) and roomUsers (to the room) live
// events, the way Gitter's room-membership events reach Faye. A hidden room stays in the member's list, without
// a last access time (see recent-rooms.ts).
import type { LiveEvent } from "./live";
import type { IdGenerator } from "./ids";
import type { RecentRooms } from "./recent-rooms";
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
  unread: { clear(userId: string, roomId: string): string[]; mentionedRooms(userId: string): string[] };
  readonly recent: RecentRooms;
}

export interface RoomBookDump {
  rooms: { room: EmRoom; members: string[] }[];
  groups: [string, string][];
  /** Written by earlier versions, which took hidden rooms out of the list; read only to upgrade such a dump. */
  hidden?: { userId: string; roomIds: string[] }[];
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
  constructor(private readonly host: RoomHost) {}

  /** Rooms in creation order with their members and groups: what a snapshot keeps. */
  dump(): RoomBookDump {
    const rooms = [...this.rooms.values()].map((room) => ({ room: { ...room }, members: [...this.memberships.get(room.id)!] }));
    return { rooms, groups: [...this.groups] };
  }

  /**
   * Restores a dump into an empty book, rebuilding the indexes; emits nothing. A dump of an earlier version (with
   * `hidden`, and no last access times kept) gives every membership it did not hide a last access time of now.
   */
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
    if (!d.hidden) return;
    const hidden = new Set(d.hidden.flatMap(({ userId, roomIds }) => roomIds.map((r) => `${userId}:${r}`)));
    for (const { room, members } of d.rooms) {
      for (const userId of members) if (!hidden.has(`${userId}:${room.id}`)) this.host.recent.touch(userId, room.id);
    }
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

  /**
   * The user's room list: every room they are a member of, hidden ones too, and the rooms where they were
   * mentioned without being a member. zero804/gitter modules/rooms/lib/room-service.js
   * findAllRoomsIdsForUserIncludingMentions
   */
  roomsOf(userId: string): EmRoom[] {
    const ids = new Set([...(this.roomsByUser.get(userId) ?? []), ...this.host.unread.mentionedRooms(userId)]);
    return [...ids].filter((id) => this.rooms.has(id)).sort((a, b) => this.rank.get(a)! - this.rank.get(b)!).map((id) => this.rooms.get(id)!);
  }

  /**
   * Idempotent. The last access time is saved first, without a push, so the `create` the member receives shows
   * it; joining a room one is in (a hidden one too) saves it and pushes nothing. `visit: false` adds the member
   * without it, as a one-to-one's parties are added. zero804/gitter modules/rooms/lib/room-service.js joinRoom
   */
  join(userId: string, roomId: string, opts: { visit?: boolean } = {}): EmRoom {
    const room = this.rooms.get(roomId);
    const user = this.host.getUser(userId);
    if (!room || !user) throw new ApiError(404, "Not Found");
    if (opts.visit !== false) this.host.recent.touch(userId, roomId);
    const members = this.memberships.get(roomId)!;
    if (members.has(userId)) return room;
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
    this.host.recent.clear(userId, roomId);
    this.host.unread.clear(userId, roomId);
    this.host.emitLive({ kind: "userRooms", userId, operation: "remove", model: { id: roomId } });
    this.host.emitLive({ kind: "roomUsers", roomId, operation: "remove", model: { id: userId } });
  }

  /**
   * Hides the room from the user's list: its last access time and unread items go, and a member is sent a
   * `patch` that says so (the room stays in the list); only a non-member is sent a `remove`. A new message does
   * not bring it back by itself: it raises the unread counts, pushed as a patch (chat-ops.ts).
   * zero804/gitter modules/rooms/lib/room-service.js hideRoomFromUser, recent-room-service.js removeRecentRoomForUser
   */
  hide(userId: string, roomId: string): void {
    this.host.recent.clear(userId, roomId);
    this.host.unread.clear(userId, roomId);
    if (!this.isMember(userId, roomId)) {
      this.host.emitLive({ kind: "userRooms", userId, operation: "remove", model: { id: roomId } });
      return;
    }
    const model = { id: roomId, favourite: null, lastAccessTime: null, activity: 0, mentions: 0, unreadItems: 0 };
    this.host.emitLive({ kind: "userRooms", userId, operation: "patch", model });
  }

  /**
   * Saves the user's last access time of the room and pushes it as a patch (sending a message, subscribing to the
   * room's channels). zero804/gitter modules/rooms/lib/recent-room-service.js saveLastVisitedTroupeforUserId
   */
  visit(userId: string, roomId: string): void {
    const lastAccessTime = this.host.recent.touch(userId, roomId);
    this.host.emitLive({ kind: "userRooms", userId, operation: "patch", model: { id: roomId, lastAccessTime } });
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
    // zero804/gitter modules/rooms/lib/one-to-one-room-service.js addOneToOneUsersToNewRoom: members only, no last
    // access time; a party's client saves one when it opens the room (subscribes to it).
    this.join(userId, room.id, { visit: false });
    this.join(otherId, room.id, { visit: false });
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
