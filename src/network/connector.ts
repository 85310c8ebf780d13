// The interface the core owns and every network implements (the shape of mautrix-go bridgev2's
// NetworkConnector / NetworkAPI, made small): a connector per network, a client per logged-in user, a realtime
// stream per client. Every method may block on the network (rate limits, retries) and, unless it says otherwise,
// rejects with a NetworkError (./errors) and nothing else. docs/network-interface.md states each contract.
import type { MessageConverter } from "./convert";
import type { RealtimeStream } from "./realtime";
import type { NetworkTerms } from "./terms";
import type {
  Cursor,
  DownloadedFile,
  HistoryPage,
  LoginTokens,
  NetworkFile,
  NetworkMessage,
  NetworkRoom,
  NetworkUser,
  OutgoingMessage,
  SendProbe,
  UploadedFile,
} from "./types";

/** How a person may log in: a link to the network's OAuth pages, or a personal token they paste to the bot. */
export type LoginFlow = { kind: "oauth"; provider: OAuthProvider } | { kind: "token" };

export interface OAuthProvider {
  /** The network's page to send the person to; `state` comes back on the callback. Never throws. */
  authorizeUrl(state: string): string;
  /** The code of the callback for tokens. A code works once: never repeated. */
  exchangeCode(code: string): Promise<LoginTokens>;
  /** New tokens for a refresh token, where the network's tokens expire. The old pair is dead once this resolves. */
  refresh?(refreshToken: string): Promise<LoginTokens>;
}

export interface Capabilities {
  threads: boolean;
  reactions: boolean;
  typing: boolean;
  files: boolean;
  /** `searchUsers` finds people (Mattermost); absent or false: it rejects "unsupported" (Gitter's is not bridged). */
  userSearch?: boolean;
  /**
   * How long the network remembers a send's idempotency key (ms): a `send` repeated with the same key within it
   * returns the first message. 0: keys are not sent to the network, so a send that failed with
   * "maybe-delivered" must be looked for with `findOwnMessage` before it is sent again.
   */
  keyedSendWindowMs: number;
}

/** The network's side of ghost ids: the core builds Matrix ids from these (src/matrix/ids.ts escapes them). */
export interface GhostIdRules {
  /** Default prefix of ghost localparts, e.g. `gitter_`. */
  defaultPrefix: string;
  /** The stable string a ghost is named after (the username on both networks today). */
  ghostName(user: NetworkUser): string;
  /** True for a string of the network's user id shape. */
  isUserId(value: string): boolean;
  /** True for a string of the network's room id shape. */
  isRoomId(value: string): boolean;
}

/** Which network a connector or client is, for people and Matrix clients, and how its messages convert. */
export interface NetworkProfile {
  /** Short, lower case, stable: `gitter`, `mattermost` (the config's `network`). */
  readonly name: string;
  /** For people: `Gitter`, `Mattermost`. */
  readonly displayName: string;
  /** The network's web site (`https://gitter.im`, a Mattermost server's address), as bridge info links to it. */
  readonly webUrl: string;
  /** Its message conversion, both ways (./convert). Pure. */
  readonly converter: MessageConverter;
  /** Its words for people, and its parser of what they type to name a room or a person (./terms). */
  readonly terms: NetworkTerms;
}

export interface NetworkConnector extends NetworkProfile {
  readonly loginFlows: readonly LoginFlow[];
  readonly capabilities: Capabilities;
  readonly ids: GhostIdRules;
  /** A client acting with `token`, once the network confirmed who it belongs to; "token-invalid" if it did not. */
  connect(token: string): Promise<NetworkClient>;
  /**
   * A client for a login whose owner is already known (stored when it was confirmed), without asking the network
   * again: a session resuming spends no request on who the token belongs to. Never throws; a dead token shows on
   * the client's first request.
   */
  resume(token: string, self: NetworkUser): NetworkClient;
}

export interface NetworkClient {
  /** Who the token belongs to, as confirmed by `connect`. */
  readonly self: NetworkUser;
  /** The network this client is of: its connector's profile, for a core holding only the client. */
  readonly profile: NetworkProfile;

  /** Asks the network again who the token belongs to ("token-invalid" once it is revoked). */
  whoAmI(): Promise<NetworkUser>;
  /**
   * Every room the user is in, direct and group-direct ones included, across all spaces (teams) of the user, each
   * saying whether the user closed it (`hidden`) and, where the network says, whether it has unread messages.
   */
  listRooms(): Promise<NetworkRoom[]>;
  getRoom(roomId: string): Promise<NetworkRoom>;
  /** A room by its `link` or the network's web address for it, without joining. */
  resolveRoom(nameOrLink: string): Promise<NetworkRoom>;
  /** Group rooms the user can find and join, whose name or link matches `query`; at most `limit`. Read-only. */
  searchRooms(query: string, limit: number): Promise<NetworkRoom[]>;
  /** Users whose username or name starts with `query`; at most `limit`. "unsupported" without `capabilities.userSearch`. */
  searchUsers(query: string, limit: number): Promise<NetworkUser[]>;
  /** A user by username (a leading `@` is allowed) or profile link. */
  resolveUser(nameOrLink: string): Promise<NetworkUser>;
  getUser(userId: string): Promise<NetworkUser>;
  /** The direct room with one user, or the group-direct room with several; made when missing. */
  openDirect(usernames: string[]): Promise<NetworkRoom>;
  /** Joins (twice is harmless) and returns the room. */
  join(roomId: string): Promise<NetworkRoom>;
  /** Leaves, or hides a room that cannot be left (direct, group-direct); a room already left or hidden is done, not failed. */
  leave(roomId: string): Promise<void>;
  /** Every member, each once; only the first `limit` when given (the network is asked no further). */
  members(roomId: string, limit?: number): Promise<NetworkUser[]>;

  /**
   * Posts as the user. `key` (1 to 64 of A-Z a-z 0-9 _ -) is the core's idempotency key for this message: the
   * same key for every attempt of one message, another for each message. Rejects "maybe-delivered" when the
   * outcome is unknown; see `capabilities.keyedSendWindowMs` and `findOwnMessage`.
   */
  send(roomId: string, message: OutgoingMessage, key: string): Promise<NetworkMessage>;
  /**
   * Replaces a message's text (the user's own), `kind` as `OutgoingMessage.kind` (an emote's edit is written as the
   * network writes emotes; absent: text). Safe to repeat.
   */
  edit(roomId: string, messageId: string, text: string, kind?: "text" | "emote"): Promise<void>;
  /** Safe to repeat: a message already gone is done. */
  delete(roomId: string, messageId: string): Promise<void>;
  /** "unsupported" without `capabilities.reactions`. Safe to repeat. `reaction` in the network's vocabulary. */
  react(roomId: string, messageId: string, reaction: string): Promise<void>;
  unreact(roomId: string, messageId: string, reaction: string): Promise<void>;
  /**
   * A reaction as the network names it (the stream's, `react`'s) as a Matrix annotation key: the Unicode emoji, or
   * `:name:` text for one that has none (a custom emoji). Pure; never throws.
   */
  reactionToMatrix(reaction: string): string;
  /**
   * A Matrix annotation key as the network's reaction (what `react` takes), or null when the network has none for
   * it, or no reactions at all. Pure; never throws.
   */
  reactionFromMatrix(key: string): string | null;
  /**
   * Marks the room read up to a message, that one included (the whole room on networks that cannot say where).
   * `inThread`: the message was read in its thread, which says nothing about the main timeline: only that message
   * is marked (nothing, on networks that cannot mark one message). Safe to repeat.
   */
  markRead(roomId: string, upToMessageId: string, options?: { inThread?: boolean }): Promise<void>;
  /** Does nothing without `capabilities.typing`. Never rejects for "unsupported". */
  typing(roomId: string, typing: boolean): Promise<void>;

  /**
   * Messages after `cursor`, oldest first, at most `limit` (the network may cap it), thread replies included;
   * never one at or before the cursor. Walk on from the last message's cursor while `more`.
   */
  historyAfter(roomId: string, cursor: Cursor, limit: number): Promise<HistoryPage>;
  /**
   * The room's newest messages, oldest first, at most `limit` (the network may cap it): who spoke lately. Thread
   * replies are included where the network lists them with the room (Gitter does not). Read-only.
   */
  latestMessages(roomId: string, limit: number): Promise<NetworkMessage[]>;
  /** Where a room opened now starts: the newest message's cursor, or a cursor for "now" in an empty room. */
  startCursor(roomId: string): Promise<Cursor>;
  /**
   * Where a room opened for its unread messages starts: the cursor just before the first message the user has not
   * read (`historyAfter` from it gives that message first); null when nothing is unread. Read-only.
   */
  cursorBeforeUnread(roomId: string): Promise<Cursor | null>;
  /**
   * The oldest message of the user's own in the room that matches an unresolved send (its key where the network
   * keeps it, else its text and thread), not older than `probe.since` less the clocks' possible skew, and not
   * taken; null when none. Read-only.
   */
  findOwnMessage(roomId: string, probe: SendProbe): Promise<NetworkMessage | null>;

  /** "unsupported" without `capabilities.files`. Attach the result to a send with `fileIds`. */
  uploadFile(roomId: string, file: UploadedFile): Promise<NetworkFile>;
  downloadFile(fileId: string): Promise<DownloadedFile>;

  /** The user's realtime stream (one per client, made on the first call). */
  realtime(): RealtimeStream;
}
