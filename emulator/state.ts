// All emulator data, in memory. Every change emits one "live" event (see live.ts) already serialized as Gitter
// pushes it, so the realtime transports only route. Methods throw ApiError with Gitter's status and text.
import { EventEmitter } from "node:events";
import { AuthStore } from "./auth-store";
import { ChatStore } from "./chat-store";
import { deleteMessage, editMessage, markAllRead, markRead, postMessage, type EditOptions, type PostInput } from "./chat-ops";
import { IdGenerator } from "./ids";
import type { LiveEvent, LiveSource } from "./live";
import { messageJson, roomJson, userJson, type Json, type SerializeContext } from "./serialize";
import { ApiError, type EmMessage, type EmRoom, type EmUser, type MessageQuery } from "./types";
import { UnreadStore } from "./unread-store";
import { RecentRooms } from "./recent-rooms";
import { RoomBook, type NewRoom } from "./room-book";
import { SpamCheck } from "./spam-check";

export interface StateOptions {
  /** Base URL the emulator is reached at (used for avatar URLs). May be set later, once the port is known. */
  publicUrl?: string;
  /** How long after sending a message its author may still edit it. Default 600 s, as Gitter in 2020. */
  editWindowSeconds?: number;
}

export interface NewUser {
  id?: string;
  username: string;
  displayName?: string;
  password?: string;
  avatarColor?: string;
  avatarUrl?: string;
  /** Account age, read from the id as Gitter does (its spam check spares old accounts); default 0, a new sign-up. */
  ageDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PALETTE = ["#e8543e", "#3e8ee8", "#46b35b", "#b35bd6", "#e0a030", "#2fa8a0", "#d6487e", "#6a6fd6"];

export class EmulatorState extends EventEmitter implements LiveSource, SerializeContext {
  publicUrl: string;
  editWindowSeconds: number;
  readonly ids = new IdGenerator();
  readonly chat = new ChatStore();
  readonly unread = new UnreadStore();
  readonly auth = new AuthStore();
  readonly spam = new SpamCheck();
  readonly recent = new RecentRooms();
  readonly rooms: RoomBook;
  private readonly users = new Map<string, EmUser>();
  private readonly usersByName = new Map<string, EmUser>();

  constructor(opts: StateOptions = {}) {
    super();
    // Transports subscribe once each, but tests may add many listeners; the default cap of 10 only adds noise.
    this.setMaxListeners(0);
    this.publicUrl = (opts.publicUrl ?? "http://127.0.0.1").replace(/\/+$/, "");
    this.editWindowSeconds = opts.editWindowSeconds ?? 600;
    this.rooms = new RoomBook(this);
  }

  emitLive(e: LiveEvent): void {
    this.emit("live", e);
  }

  // ---- users ----

  /** Throws ApiError(409) on a taken username. */
  createUser(input: NewUser): EmUser {
    const key = input.username.toLowerCase();
    if (this.usersByName.has(key)) throw new ApiError(409, `User ${input.username} already exists`);
    const user: EmUser = {
      id: input.id ?? this.ids.next(Date.now() - (input.ageDays ?? 0) * DAY_MS),
      username: input.username,
      displayName: input.displayName ?? input.username,
      password: input.password ?? input.username,
      avatarColor: input.avatarColor ?? PALETTE[this.users.size % PALETTE.length],
      avatarUrl: input.avatarUrl,
      avatarVersion: 1,
      v: 1,
    };
    this.users.set(user.id, user);
    this.usersByName.set(key, user);
    return user;
  }

  /**
   * Changes a user's profile. Gitter pushed no event for this: clients see the new name and avatar URL in the
   * next message or member list. An avatar is `#rrggbb` (a generated one) or an image URL.
   */
  updateProfile(userId: string, change: { displayName?: string; avatar?: string }): EmUser {
    const user = this.users.get(userId);
    if (!user) throw new ApiError(404, "Not Found");
    if (change.displayName !== undefined) user.displayName = change.displayName;
    if (change.avatar !== undefined) {
      const colour = change.avatar.startsWith("#");
      user.avatarColor = colour ? change.avatar : user.avatarColor;
      user.avatarUrl = colour ? undefined : change.avatar;
      user.avatarVersion += 1;
    }
    user.v += 1;
    return user;
  }

  getUser(id: string): EmUser | undefined {
    return this.users.get(id);
  }

  findUserByName(username: string): EmUser | undefined {
    return this.usersByName.get(username.toLowerCase());
  }

  allUsers(): EmUser[] {
    return [...this.users.values()];
  }

  /** The user a live token belongs to; undefined when the token is unknown or revoked. */
  userForToken(token: string): EmUser | undefined {
    const t = this.auth.lookup(token);
    return t ? this.users.get(t.userId) : undefined;
  }

  /** Issues (or returns the existing) token of a user for a client. */
  issueToken(userId: string, clientId: string, preset?: string): string {
    if (!this.users.has(userId)) throw new ApiError(404, "Not Found");
    return this.auth.tokenFor(userId, clientId, preset);
  }

  /** Returns false when the token was not live. Emits tokenRevoked. */
  revokeToken(token: string): boolean {
    const t = this.auth.revoke(token);
    if (t) this.emitLive({ kind: "tokenRevoked", token: t.token, userId: t.userId });
    return Boolean(t);
  }

  cutConnections(): void {
    this.emitLive({ kind: "cutConnections" });
  }

  // ---- rooms (delegated to RoomBook) ----

  createRoom(input: NewRoom): EmRoom {
    return this.rooms.create(input);
  }

  getRoom(roomId: string): EmRoom | undefined {
    return this.rooms.get(roomId);
  }

  isMember(userId: string, roomId: string): boolean {
    return this.rooms.isMember(userId, roomId);
  }

  /** Members always; anyone for public group rooms (Gitter's canRead and canWrite alike). */
  canRead(userId: string, roomId: string): boolean {
    const room = this.rooms.get(roomId);
    return room !== undefined && this.rooms.canRead(userId, room);
  }

  /** Saves the user's last access time of the room and pushes it (see RoomBook.visit). */
  visitRoom(userId: string, roomId: string): void {
    this.rooms.visit(userId, roomId);
  }

  lastAccessTime(userId: string, roomId: string): string | undefined {
    return this.recent.get(userId, roomId);
  }

  memberCount(roomId: string): number {
    return this.rooms.members(roomId).length;
  }

  // ---- messages ----

  postMessage(userId: string, roomId: string, input: PostInput): EmMessage {
    return postMessage(this, userId, roomId, input);
  }

  editMessage(userId: string, roomId: string, messageId: string, text: unknown, opts: EditOptions = {}): EmMessage {
    return editMessage(this, userId, roomId, messageId, text, opts);
  }

  deleteMessage(userId: string, roomId: string, messageId: string, opts: EditOptions = {}): void {
    deleteMessage(this, userId, roomId, messageId, opts);
  }

  markRead(userId: string, roomId: string, ids: string[]): void {
    markRead(this, userId, roomId, ids);
  }

  markAllRead(userId: string, roomId: string): void {
    markAllRead(this, userId, roomId);
  }

  /**
   * Messages of a room in push form (no `unread`), with REST list semantics: limit (default 50, max 100),
   * beforeId/afterId/aroundId (target flagged `initial`), skip (over 5000 throws ApiError 400), includeThreads.
   */
  listMessages(roomId: string, query: MessageQuery, viewerId?: string): Json[] {
    const { messages, initialId } = this.chat.query(roomId, query);
    return messages.map((m) => {
      const json = messageJson(this, m, viewerId);
      return m.id === initialId ? { ...json, initial: true } : json;
    });
  }

  // ---- serialization (push form unless a viewer is given) ----

  serializeMessage(msg: EmMessage, viewerId?: string): Json {
    return messageJson(this, msg, viewerId);
  }

  serializeRoomFor(userId: string, room: EmRoom): Json {
    return roomJson(this, userId, room);
  }

  serializeUser(user: EmUser): Json {
    return userJson(this, user);
  }

  unreadCounts(userId: string, roomId: string): { unreadItems: number; mentions: number } {
    return this.unread.counts(userId, roomId);
  }

  isUnread(userId: string, roomId: string, messageId: string): boolean {
    return this.unread.has(userId, roomId, messageId);
  }
}
