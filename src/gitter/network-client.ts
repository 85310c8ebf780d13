// Gitter's per-user client of the network interface (src/network), made by the connector (./network). Gitter's
// message POST takes no idempotency key, so sends are never repeated here: a send whose outcome is unknown rejects
// "maybe-delivered" and is found again in the room's history by `findOwnMessage` (./network-history: author, text,
// thread, time).
import type { NetworkClient, NetworkProfile } from "../network/connector";
import { isNetworkError, NetworkError } from "../network/errors";
import type { RealtimeStream } from "../network/realtime";
import type { Cursor, HistoryPage, NetworkMessage, NetworkRoom, NetworkUser, OutgoingMessage, SendProbe } from "../network/types";
import { GitterApiError, isGitterStatus } from "./errors";
import { GITTER_CONVERTER } from "./message-converter";
import type { GitterNetworkOptions } from "./network";
import { GITTER, GITTER_WEB, guarded, toEditError, toMessage, toNetworkError, toRoom, toUser } from "./network-convert";
import { findOwnMessage, historyAfter, latestMessages, PAGE, startCursor } from "./network-history";
import { GitterStream } from "./network-realtime";
import { gitterCursorBeforeUnread, toListedRoom } from "./network-rooms";
import type { GitterRestClient } from "./rest";
import { GITTER_TERMS } from "./terms";
import type { GitterRoom } from "./types";

const WEB_LINK = /^https?:\/\/[^/]+\/(.+?)\/?$/;

/** Gitter as people and Matrix clients know it, and its message conversion (./message-converter). */
export const GITTER_PROFILE: NetworkProfile = { name: "gitter", displayName: GITTER, webUrl: GITTER_WEB, converter: GITTER_CONVERTER, terms: GITTER_TERMS };

export class GitterNetworkClient implements NetworkClient {
  readonly profile = GITTER_PROFILE;
  private stream: GitterStream | undefined;
  /** Ids of one-to-one rooms seen so far (they are hidden rather than left). */
  private readonly directs = new Set<string>();
  /** Per room, the newest message marked read so far. */
  private readonly readUpTo = new Map<string, string>();

  constructor(
    private readonly rest: GitterRestClient,
    readonly self: NetworkUser,
    private readonly options: GitterNetworkOptions & { token: string },
  ) {}

  async whoAmI(): Promise<NetworkUser> {
    return toUser(await guarded(() => this.rest.getCurrentUser()));
  }

  /** Rooms where the user was only mentioned (`roomMember: false`) are not the user's; see ./network-rooms. */
  async listRooms(): Promise<NetworkRoom[]> {
    const rooms = await guarded(() => this.rest.listRooms());
    return rooms.filter((r) => r.roomMember !== false).map((r) => this.seen(r, toListedRoom));
  }

  async getRoom(roomId: string): Promise<NetworkRoom> {
    return this.seen(await guarded(() => this.rest.getRoom(roomId)));
  }

  /** `org/room`, or its gitter.im address. */
  async resolveRoom(nameOrLink: string): Promise<NetworkRoom> {
    const uri = WEB_LINK.exec(nameOrLink.trim())?.[1] ?? nameOrLink.trim();
    return this.seen(await guarded(() => this.rest.resolveRoom(uri)));
  }

  /** Gitter searches public rooms by uri and name; results carry their member count. */
  async searchRooms(query: string, limit: number): Promise<NetworkRoom[]> {
    const rooms = await guarded(() => this.rest.searchRooms(query, { limit }));
    return rooms.filter((r) => r.uri && !r.oneToOne).map((r) => ({ ...toRoom(r), memberCount: r.userCount }));
  }

  searchUsers(): Promise<NetworkUser[]> {
    return Promise.reject(new NetworkError("unsupported", GITTER, "the bridge does not search Gitter users"));
  }

  async resolveUser(nameOrLink: string): Promise<NetworkUser> {
    const name = (WEB_LINK.exec(nameOrLink.trim())?.[1] ?? nameOrLink.trim()).replace(/^@/, "");
    return toUser(await guarded(() => this.rest.getUserByUsername(name)));
  }

  /** Gitter has no user-by-id call: the user is looked for among the user's one-to-one partners. */
  async getUser(userId: string): Promise<NetworkUser> {
    if (userId === this.self.id) return this.self;
    const rooms = await guarded(() => this.rest.listRooms());
    const partner = rooms.find((r) => r.oneToOne && r.user?.id === userId)?.user;
    if (!partner) throw new NetworkError("not-found", GITTER, `no known Gitter user ${userId}`);
    return toUser(partner);
  }

  /** Gitter has one-to-one rooms only: exactly one username. */
  async openDirect(usernames: string[]): Promise<NetworkRoom> {
    if (usernames.length !== 1) throw new NetworkError("unsupported", GITTER, "Gitter has no group direct rooms");
    const room = await guarded(() => this.rest.resolveRoom(usernames[0].replace(/^@/, "")));
    if (!room.oneToOne) throw new NetworkError("not-found", GITTER, `${usernames[0]} is not a Gitter user`);
    return this.seen(room);
  }

  /**
   * Gitter answers an unknown id with a 500, not a 404 (zero804/gitter server/api/v1/user/troupes.js create), which
   * the REST client retries as an outage and then gives up: when the room is then not found either, it is gone.
   */
  async join(roomId: string): Promise<NetworkRoom> {
    try {
      return this.seen(await this.rest.joinRoom(roomId));
    } catch (err) {
      if (!(err instanceof GitterApiError) || err.status < 500) throw toNetworkError(err);
        const gone = await this.rest.getRoom(roomId).then(() => false, (e: unknown) => isGitterStatus(e, 404));
      if (gone) throw new NetworkError("not-found", GITTER, `room ${roomId} no longer exists`, { cause: err });
      throw toNetworkError(err);
    }
  }

  /**
   * One-to-one rooms cannot be left on Gitter: they are hidden. A room already left is done (the REST client takes
   * Gitter's 404 to a non-member as done). Asks for the room only when it was not listed or fetched before.
   */
  async leave(roomId: string): Promise<void> {
    await guarded(async () => {
      const direct = this.directs.has(roomId) || (await this.rest.getRoom(roomId).then((r) => r.oneToOne, () => false));
      if (direct) await this.rest.hideRoom(roomId);
      else await this.rest.leaveRoom(roomId);
    });
  }

  /** Remembers which rooms are one-to-ones, for `leave`; returns the room as a NetworkRoom. */
  private seen(room: GitterRoom, as: (r: GitterRoom) => NetworkRoom = toRoom): NetworkRoom {
    if (room.oneToOne) this.directs.add(room.id);
    return as(room);
  }

  async members(roomId: string, limit = Infinity): Promise<NetworkUser[]> {
    const all: NetworkUser[] = [];
    const seen = new Set<string>();
    for (let skip = 0; ; skip += PAGE) {
      const batch = await guarded(() => this.rest.listRoomMembers(roomId, { limit: PAGE, skip }));
      // Pages are not atomic on Gitter: a member may appear on two of them.
      for (const u of batch.filter((x) => !seen.has(x.id))) {
        seen.add(u.id);
        all.push(toUser(u));
      }
      if (batch.length < PAGE || all.length >= limit) return all.slice(0, limit);
    }
  }

  /** `key` is not sent: Gitter's POST has no idempotency key (see findOwnMessage). Never repeated here. */
  async send(roomId: string, message: OutgoingMessage, _key: string): Promise<NetworkMessage> {
    if (message.fileIds?.length) throw new NetworkError("unsupported", GITTER, "Gitter has no file upload");
    const sent = await guarded(() =>
      this.rest.sendMessage(roomId, { text: message.text, status: message.kind === "emote" ? true : undefined, parentId: message.threadId }),
    );
    return toMessage(roomId, sent);
  }

  /** "rejected" past Gitter's edit window (see toEditError). */
  async edit(roomId: string, messageId: string, text: string): Promise<void> {
    await this.rest.editMessage(roomId, messageId, text).catch((err: unknown) => Promise.reject(toEditError(err)));
  }

  /** A message already gone is done: Gitter answers a second deletion with a 404. */
  async delete(roomId: string, messageId: string): Promise<void> {
    try {
      await guarded(() => this.rest.deleteMessage(roomId, messageId));
    } catch (err) {
      if (!isNetworkError(err, "not-found")) throw err;
    }
  }

  react(): Promise<void> {
    return Promise.reject(new NetworkError("unsupported", GITTER, "Gitter has no reactions"));
  }
  unreact(): Promise<void> {
    return this.react();
  }
  /** Gitter has no reactions: nothing to name. */
  readonly reactionToMatrix = (reaction: string): string => reaction;
  readonly reactionFromMatrix = (): null => null;

  /**
   * Gitter reads by unread item: the user's unread items up to the message are marked (ids are ObjectIds: string
   * order is creation order), or that message alone in a thread. An older or repeated read costs no request.
   */
  async markRead(roomId: string, upToMessageId: string, options: { inThread?: boolean } = {}): Promise<void> {
    if (!options.inThread && (this.readUpTo.get(roomId) ?? "") >= upToMessageId) return;
    await guarded(async () => {
      const unread = await this.rest.getUnreadItems(roomId);
      const ids = [...new Set([...unread.chat, ...unread.mention])].filter((id) => (options.inThread ? id === upToMessageId : id <= upToMessageId));
      await this.rest.markRead(roomId, ids);
    });
    if (!options.inThread) this.readUpTo.set(roomId, upToMessageId);
  }

  /** Gitter's API has no typing notifications. */
  async typing(): Promise<void> {}

  historyAfter(roomId: string, cursor: Cursor, limit: number): Promise<HistoryPage> {
    return historyAfter(this.rest, roomId, cursor, limit);
  }

  latestMessages(roomId: string, limit: number): Promise<NetworkMessage[]> {
    return latestMessages(this.rest, roomId, limit);
  }

  startCursor(roomId: string): Promise<Cursor> {
    return startCursor(this.rest, roomId);
  }

  /** Before the oldest unread item (./network-rooms). */
  cursorBeforeUnread(roomId: string): Promise<Cursor | null> {
    return guarded(() => gitterCursorBeforeUnread(this.rest, roomId));
  }

  findOwnMessage(roomId: string, probe: SendProbe): Promise<NetworkMessage | null> {
    return findOwnMessage(this.rest, roomId, probe, this.self.id);
  }

  uploadFile(): Promise<never> {
    return Promise.reject(new NetworkError("unsupported", GITTER, "Gitter has no file upload"));
  }
  downloadFile(): Promise<never> {
    return this.uploadFile();
  }

  realtime(): RealtimeStream {
    this.stream ??= new GitterStream({
      ...this.options.realtime,
      fayeUrl: this.options.fayeUrl,
      token: this.options.token,
      userId: this.self.id,
      fetchMissed: (roomId, afterId) => this.rest.listMessages(roomId, { afterId, limit: PAGE, includeThreads: true }),
      catchUpPageSize: PAGE,
    });
    return this.stream;
  }
}
