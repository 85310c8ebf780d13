// The network-neutral values the core and every network exchange: users, rooms, messages, cursors and files.
// Nothing here names a network; each network's adapter (src/<network>/network.ts) builds these from its own wire
// types. Ids are the network's own, as strings the core may store and compare for equality, never parse.

/**
 * A position in one room's history: the last message the core delivered, or a point in time before any.
 * Opaque: built only by the network (each message carries its own), stored by the core as it is, given back to
 * `historyAfter`. Within one room, cursors sort as plain strings in history order, so the core can tell which of
 * two is later without asking the network.
 */
export type Cursor = string;

/** group: a channel or room of many; direct: two people; group-direct: a private conversation of a few people. */
export type RoomKind = "group" | "direct" | "group-direct";

export interface NetworkUser {
  id: string;
  /** The network's handle (`alice`), unique on the network; what `resolveUser` accepts. */
  username: string;
  /** A name for people; the username when the network has none. */
  displayName: string;
  avatarUrl?: string;
}

export interface NetworkRoom {
  id: string;
  kind: RoomKind;
  /** What people call the room on the network: a channel's name, the other person's name for a direct chat. */
  name: string;
  /** Where the network has several spaces with rooms of the same name (Mattermost teams): the space's name. */
  qualifier?: string;
  topic?: string;
  /** What `resolveRoom` accepts to find this room again (`org/room`, `team/channel`); absent for direct rooms. */
  link?: string;
  /** direct and group-direct: the other people in it (not the user), when the network says. */
  otherUserIds?: string[];
  /** direct and group-direct: the other people themselves, where the network sends them with the room. */
  others?: NetworkUser[];
  /** The room's picture, where the network has one. */
  avatarUrl?: string;
  /** How many people are in it, where the network says (Gitter's search results). */
  memberCount?: number;
  /** The room's page on the network's web site, where it has one. */
  webUrl?: string;
  /** The space the room belongs to (a Gitter community, a Mattermost team), where the network has them. */
  space?: NetworkSpace;
  /**
   * Set by `listRooms`: the user closed the room (a hidden Gitter one-to-one, a closed Mattermost direct channel).
   * It is still theirs, not shown, and comes back with a new message. Absent: the network does not say (not hidden).
   */
  hidden?: boolean;
  /** Set by `listRooms` where the network says: the room has messages the user has not read. */
  unread?: boolean;
}

/** A group of rooms on the network: a Gitter community, a Mattermost team. */
export interface NetworkSpace {
  /** The network's id for it (a Gitter community's name, which is all Gitter gives). */
  id: string;
  name: string;
  webUrl?: string;
}

export type MessageKind = "text" | "emote" | "system";

export interface NetworkFile {
  id: string;
  name: string;
  mimeType: string;
  size: number;
}

/** A person a message mentions, as the network itself resolved the mention. */
export interface NetworkMention {
  /** The handle as written after the `@`. */
  username: string;
  /** The user it names, when the network resolved it to one (absent: nobody by that name, or a group mention). */
  userId?: string;
}

export interface NetworkMessage {
  id: string;
  roomId: string;
  senderId: string;
  /** The sender, when the network sends it with the message (saves a lookup). */
  sender?: NetworkUser;
  kind: MessageKind;
  /** The text in the network's own markup (Markdown for both networks today); conversion is the core's. */
  text: string;
  /** The network's own rendering, when it sends one. */
  html?: string;
  /** The thread's first message, for a reply in a thread. */
  threadId?: string;
  /** Milliseconds since the epoch, by the network's clock. */
  sentAt: number;
  editedAt?: number;
  files?: NetworkFile[];
  /**
   * The @mentions the network found in the text itself, resolved to users where it could. Absent: the network does
   * not say, and its conversion reads mentions from the text; empty: the network says there are none.
   */
  mentions?: NetworkMention[];
  /**
   * Which version of the message this is: the same each time the network reports that version (a replayed edit),
   * another after each edit. Absent where the network has none (an unedited Mattermost post).
   */
  revision?: string;
  /** This message's position: `historyAfter(roomId, cursor)` returns what came after it. */
  cursor: Cursor;
}

/** One page of history, oldest first. */
export interface HistoryPage {
  messages: NetworkMessage[];
  /** More may follow the last message: ask again after its cursor. False only when the page reached the end. */
  more: boolean;
}

export interface OutgoingMessage {
  /** In the network's markup (the core converts first). */
  text: string;
  kind?: "text" | "emote";
  threadId?: string;
  /** Files uploaded first with `uploadFile`, on networks with `capabilities.files`. */
  fileIds?: string[];
}

/**
 * What the core knows about a send whose outcome is unknown, to find it in the room: the key and text it was
 * sent with, its thread, and when the core recorded it (ms, the core's clock).
 */
export interface SendProbe {
  key: string;
  text: string;
  /** As the message was sent (`OutgoingMessage.kind`); absent for text. */
  kind?: "text" | "emote";
  threadId?: string;
  since: number;
  /** True for a message already linked to another send: two identical messages in a row stay two. */
  isTaken?: (messageId: string) => boolean | Promise<boolean>;
}

export interface UploadedFile {
  name: string;
  mimeType: string;
  data: Uint8Array;
}

export interface DownloadedFile {
  data: Uint8Array;
  mimeType: string;
}

/** Tokens a login produced; only `accessToken` is needed to act. Never logged or shown. */
export interface LoginTokens {
  accessToken: string;
  refreshToken?: string;
  /** Milliseconds since the epoch; absent for tokens that do not expire. */
  expiresAt?: number;
}

/** A request the network client held back for the network's rate limit (for the bridge's metrics). */
export interface RateLimitWait {
  /** "exhausted": held back before sending (the budget is spent); "throttled": the network answered 429. */
  reason: "exhausted" | "throttled";
  waitMs: number;
}
