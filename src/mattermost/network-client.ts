// Mattermost's per-user client of the network interface (src/network), made by the connector (./network). Rooms are
// every channel of the user across all their teams. A send carries the core's key as its pending_post_id
// (`<user id>:<key>`): the server answers a repeat within 30 s with the first post (server/channels/app/post.go
// deduplicateCreatePost), and the client retries a lost answer within that window itself; past it,
// "maybe-delivered" is resolved by findOwnMessage.
import type { NetworkClient, NetworkProfile } from "../network/connector";
import { NetworkError, isNetworkError } from "../network/errors";
import type { RealtimeStream } from "../network/realtime";
import type { Cursor, DownloadedFile, HistoryPage, NetworkFile, NetworkMessage, NetworkRoom, NetworkUser, OutgoingMessage, SendProbe, UploadedFile } from "../network/types";
import { reactionToMatrix, reactionToMattermost } from "./convert/emoji";
import { MATTERMOST_CONVERTER } from "./message-converter";
import type { MattermostNetworkOptions } from "./network";
import { MATTERMOST, directPartner, guarded, toFile, toMessage, toRoom, toUser } from "./network-convert";
import { ClosedChannels } from "./network-closed";
import { cursorBeforeUnread, findOwnMessage, historyAfter, latestMessages, outgoingText, outgoingType, startCursor } from "./network-history";
import { MattermostStream } from "./network-realtime";
import type { MattermostClient } from "./rest";
import { mattermostTerms } from "./network-terms";
import type { MmChannel, MmTeam } from "./types";
import { UserCache } from "./network-user-cache";

/** `https://host/team/channels/name` (and `/team/messages/@user` for users). */
const CHANNEL_LINK = /^https?:\/\/[^/]+(?:\/.*)?\/([^/]+)\/channels\/([^/?#]+)\/?$/;
const USER_LINK = /^https?:\/\/[^/]+(?:\/.*)?\/messages\/@([^/?#]+)\/?$/;

/** Mattermost as people and Matrix clients know it: the server's address is its web site. */
export function mattermostProfile(serverUrl: string): NetworkProfile {
  const webUrl = serverUrl.replace(/\/+$/, "");
  return { name: "mattermost", displayName: MATTERMOST, webUrl, converter: MATTERMOST_CONVERTER, terms: mattermostTerms(webUrl) };
}

export class MattermostNetworkClient implements NetworkClient {
  readonly profile: NetworkProfile;
  private stream: MattermostStream | undefined;
  private readonly closed: ClosedChannels;
  /** The users looked up by id, while the websocket can tell their changes (./network-user-cache). */
  private readonly users = new UserCache();

  constructor(
    private readonly rest: MattermostClient,
    readonly self: NetworkUser,
    private readonly options: MattermostNetworkOptions & { token: string },
  ) {
    this.profile = mattermostProfile(options.serverUrl);
    this.closed = new ClosedChannels(rest, self.id);
  }

  async whoAmI(): Promise<NetworkUser> {
    return toUser(await guarded(() => this.rest.me()));
  }

  /**
   * GET /users/me/channels: every channel of the user in every team, each direct and group channel once, closed ones
   * (the user's `direct_channel_show` / `group_channel_show` preference) left out; `unread` stays absent.
   */
  async listRooms(): Promise<NetworkRoom[]> {
    const [channels, teams] = await guarded(() => Promise.all([this.rest.myChannels(), this.rest.myTeams()]));
    return this.rooms(await this.closed.open(channels.filter((c) => c.delete_at === 0)), teams);
  }

  async getRoom(roomId: string): Promise<NetworkRoom> {
    const channel = await guarded(() => this.rest.channel(roomId));
    return (await this.rooms([channel], await guarded(() => this.rest.myTeams())))[0];
  }

  /** `team/channel`, or the channel's web address. */
  async resolveRoom(nameOrLink: string): Promise<NetworkRoom> {
    const ref = nameOrLink.trim();
    const link = CHANNEL_LINK.exec(ref);
    const [team, name] = link ? [link[1], link[2]] : ref.split("/");
    if (!team || !name) throw new NetworkError("not-found", MATTERMOST, `not a team/channel: ${JSON.stringify(ref.slice(0, 100))}`);
    const channel = await guarded(() => this.rest.channelByName(team, name));
    return (await this.rooms([channel], await guarded(() => this.rest.myTeams())))[0];
  }

  /** The public channels of each of the user's teams that match (`POST /teams/{id}/channels/search`). */
  async searchRooms(query: string, limit: number): Promise<NetworkRoom[]> {
    const teams = await guarded(() => this.rest.myTeams());
    const found = await guarded(() => Promise.all(teams.map((t) => this.rest.searchChannels(t.id, query))));
    return this.rooms(found.flat().slice(0, limit), teams);
  }

  /** `POST /users/search` across the whole server (the users the token may see); it refuses an empty term. */
  async searchUsers(query: string, limit: number): Promise<NetworkUser[]> {
    const term = query.trim().replace(/^@/, "");
    if (!term) return [];
    return (await guarded(() => this.rest.searchUsers(term, { limit }))).slice(0, limit).map(toUser);
  }

  async resolveUser(nameOrLink: string): Promise<NetworkUser> {
    const ref = nameOrLink.trim();
    const name = (USER_LINK.exec(ref)?.[1] ?? ref).replace(/^@/, "");
    return toUser(await guarded(() => this.rest.userByUsername(name)));
  }

  /** From the cache while the websocket is connected (it hears profile changes), else GET /users/{id}. */
  async getUser(userId: string): Promise<NetworkUser> {
    return this.users.get(userId, async () => toUser(await guarded(() => this.rest.user(userId))));
  }

  /** One username: the direct channel; two to seven: the group channel (with the user, 3 to 8 people). */
  async openDirect(usernames: string[]): Promise<NetworkRoom> {
    const names = usernames.map((n) => n.replace(/^@/, ""));
    const users = await guarded(() => this.rest.usersByUsernames(names));
    if (users.length !== names.length) throw new NetworkError("not-found", MATTERMOST, "unknown Mattermost username");
    const ids = users.map((u) => u.id);
    const channel = await guarded(() => (ids.length === 1 ? this.rest.directChannel(ids[0]) : this.rest.groupChannel([this.self.id, ...ids])));
    return (await this.rooms([channel], []))[0];
  }

  async join(roomId: string): Promise<NetworkRoom> {
    await guarded(() => this.rest.joinChannel(roomId));
    return this.getRoom(roomId);
  }

  /** Leaves the channel, or closes a direct or group one (./network-closed); a channel already left is done. */
  async leave(roomId: string): Promise<void> {
    await this.closed.leave(roomId);
  }

  async members(roomId: string, limit = Infinity): Promise<NetworkUser[]> {
    const members = (await guarded(() => this.rest.channelMembers(roomId))).slice(0, limit);
    return (await guarded(() => this.rest.usersByIds(members.map((m) => m.user_id)))).map(toUser);
  }

  /** An emote is posted as the server's own /me posts it (./network-history outgoingText, outgoingType). */
  async send(roomId: string, message: OutgoingMessage, key: string): Promise<NetworkMessage> {
    const type = outgoingType(message);
    const post = await guarded(() =>
      this.rest.createPost({
        channel_id: roomId,
        message: outgoingText(message),
        ...(type ? { type } : {}),
        ...(message.threadId ? { root_id: message.threadId } : {}),
        ...(message.fileIds?.length ? { file_ids: message.fileIds } : {}),
        pending_post_id: this.pendingId(key),
      }),
    );
    return toMessage(post);
  }

  /** An emote's edit keeps the asterisks of a /me post (a patch cannot change the post's type). */
  async edit(_roomId: string, messageId: string, text: string, kind?: "text" | "emote"): Promise<void> {
    await guarded(() => this.rest.editPost(messageId, outgoingText({ text, kind })));
  }

  async delete(_roomId: string, messageId: string): Promise<void> {
    try {
      await guarded(() => this.rest.deletePost(messageId));
    } catch (err) {
      if (!isNetworkError(err, "not-found")) throw err;
    }
  }

  async react(_roomId: string, messageId: string, reaction: string): Promise<void> {
    await guarded(() => this.rest.addReaction(messageId, reaction));
  }

  async unreact(_roomId: string, messageId: string, reaction: string): Promise<void> {
    await guarded(() => this.rest.removeReaction(messageId, reaction));
  }

  /** Emoji names <-> Unicode (./convert/emoji); a custom emoji is `:name:` text in Matrix, and goes back as that name. */
  reactionToMatrix(reaction: string): string {
    return reactionToMatrix(reaction).key;
  }
  reactionFromMatrix(key: string): string | null {
    const r = reactionToMattermost(key);
    return r.kind === "emoji" ? r.name : null;
  }

  /** Mattermost reads by channel: viewing it marks all of it read, so a message read in its thread marks nothing. */
  async markRead(roomId: string, _upToMessageId: string, options: { inThread?: boolean } = {}): Promise<void> {
    if (options.inThread) return;
    await guarded(() => this.rest.viewChannel(roomId));
  }

  /** Mattermost has no "stopped typing": its clients let the indicator fade. */
  async typing(roomId: string, typing: boolean): Promise<void> {
    if (typing) await guarded(() => this.rest.typing(roomId));
  }

  historyAfter(roomId: string, cursor: Cursor, limit: number): Promise<HistoryPage> {
    return historyAfter(this.rest, roomId, cursor, limit);
  }

  latestMessages(roomId: string, limit: number): Promise<NetworkMessage[]> {
    return latestMessages(this.rest, roomId, limit);
  }

  startCursor(roomId: string): Promise<Cursor> {
    return startCursor(this.rest, roomId);
  }

  cursorBeforeUnread(roomId: string): Promise<Cursor | null> {
    return cursorBeforeUnread(this.rest, roomId, this.self.id);
  }

  findOwnMessage(roomId: string, probe: SendProbe): Promise<NetworkMessage | null> {
    return findOwnMessage(this.rest, roomId, probe, this.self.id, this.pendingId(probe.key));
  }

  async uploadFile(roomId: string, file: UploadedFile): Promise<NetworkFile> {
    return toFile(await guarded(() => this.rest.uploadFile(roomId, file.name, file.data, file.mimeType)));
  }

  async downloadFile(fileId: string): Promise<DownloadedFile> {
    const got = await guarded(() => this.rest.downloadFile(fileId));
    return { data: got.data, mimeType: got.contentType };
  }

  realtime(): RealtimeStream {
    this.stream ??= new MattermostStream({ ...this.options.websocket, serverUrl: this.options.serverUrl, token: this.options.token }, this.self.id, this.closed, this.users);
    return this.stream;
  }

  /** Mattermost's own clients write `<user id>:<random>`; the key stands for the random part. */
  private pendingId(key: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(key)) throw new NetworkError("rejected", MATTERMOST, "an idempotency key must be 1 to 64 of A-Z a-z 0-9 _ -");
    return `${this.self.id}:${key}`;
  }

  /** Channels as rooms; the people of direct and group channels are looked up, in one request for all. */
  private async rooms(channels: MmChannel[], teams: MmTeam[]): Promise<NetworkRoom[]> {
    const byTeam = new Map(teams.map((t) => [t.id, t]));
    const others = new Map<string, string[]>();
    for (const c of channels) {
      if (c.type === "D") others.set(c.id, [directPartner(c, this.self.id) ?? ""].filter((id) => id && id !== this.self.id));
      if (c.type === "G") others.set(c.id, (await guarded(() => this.rest.channelMembers(c.id))).map((m) => m.user_id).filter((id) => id !== this.self.id));
    }
    const ids = [...new Set([...others.values()].flat())];
    const users = new Map((await guarded(() => this.rest.usersByIds(ids))).map((u) => [u.id, toUser(u)]));
    return channels.map((c) => toRoom(c, byTeam, (others.get(c.id) ?? []).flatMap((id) => users.get(id) ?? []), this.options.serverUrl.replace(/\/+$/, "")));
  }
}
