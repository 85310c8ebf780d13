// The bridge's persistent state, grouped by entity. One contract test suite runs against every engine.
// Every method may reject when the database is unreachable; none repeats work on its own.
// Times are epoch milliseconds. Matrix ids are full ids (`@alice:example.org`, `!room:example.org`).
import type { ReactionStore } from "./reactions";

export type { ReactionKey, ReactionLink, ReactionStore } from "./reactions";

export interface BridgeUser {
  mxid: string;
  /** Set while logged in to Gitter. */
  gitterUserId: string | null;
  gitterUsername: string | null;
  /** The Gitter token, encrypted by the caller (see crypto.ts); never stored in the clear. */
  tokenCiphertext: string | null;
  controlRoomId: string | null;
  /** Present only for a login whose token expires and can be renewed (see TokenRenewal). */
  refreshTokenCiphertext?: string;
  /** When the token expires (epoch ms); present only for tokens that expire. */
  tokenExpiresAt?: number;
}

/** What renews an expiring token: the refresh token, sealed by the caller, and when the access token expires. */
export interface TokenRenewal {
  refreshTokenCiphertext?: string;
  tokenExpiresAt?: number;
}

export interface GitterLogin extends TokenRenewal {
  gitterUserId: string;
  gitterUsername: string;
  tokenCiphertext: string;
}

export interface UserStore {
  getUser(mxid: string): Promise<BridgeUser | null>;
  getUserByControlRoom(roomId: string): Promise<BridgeUser | null>;
  /** Users with a stored token, for resuming sessions on start. */
  listLoggedInUsers(): Promise<BridgeUser[]>;
  /** Creates the user if needed and replaces any earlier login. */
  setLogin(mxid: string, login: GitterLogin): Promise<void>;
  /** Forgets the token and the Gitter identity; keeps the user and their control room. */
  clearLogin(mxid: string): Promise<void>;
  /**
   * Replaces the login's token and its renewal (absent fields are cleared) only while its token is still
   * `previousCiphertext`: a logout or a new login meanwhile wins. True when it was replaced. Atomic.
   */
  renewLogin(mxid: string, previousCiphertext: string, next: TokenRenewal & { tokenCiphertext: string }): Promise<boolean>;
  /** Creates the user if needed; returns the previous control room, if any. */
  setControlRoom(mxid: string, roomId: string | null): Promise<string | null>;
}

export type StateCheck = { ok: true; mxid: string } | { ok: false; reason: "unknown" | "used" | "expired" };

export interface OAuthStateStore {
  createState(state: string, mxid: string, expiresAt: number): Promise<void>;
  /**
   * Single use: the first call for a state wins, later calls see `used`. Atomic across processes. A state that
   * could never have been stored (it holds U+0000) is `unknown`, on every engine.
   */
  consumeState(state: string, now: number): Promise<StateCheck>;
  /** What consumeState would answer now, without using the state up. */
  peekState(state: string, now: number): Promise<StateCheck>;
  /** Drops states that expired before `now`; returns how many. */
  pruneStates(now: number): Promise<number>;
  /** Drops every state made for `mxid` (their links stop working); returns how many. */
  discardStates(mxid: string): Promise<number>;
}

/** A login Gitter approved, waiting for its Matrix account to send the code the approval page showed. */
export interface PendingLogin {
  mxid: string;
  /** A hash of the code (see src/puppet/login-code.ts); the code itself is never stored. */
  codeHash: string;
  gitterUserId: string;
  gitterUsername: string;
  /** Sealed by the caller, as a stored login's token is. */
  tokenCiphertext: string;
  /** Present only for a token that expires and can be renewed; sealed like the token. */
  refreshTokenCiphertext?: string;
  tokenExpiresAt?: number;
  /** Wrong codes still allowed; the last wrong one discards the login. */
  triesLeft: number;
  expiresAt: number;
}

export type PendingLoginCheck =
  | { ok: true; login: PendingLogin }
  | { ok: false; reason: "none" }
  | { ok: false; reason: "wrong"; triesLeft: number };

export interface PendingLoginStore {
  /** Replaces any pending login of the same Matrix account. */
  putPendingLogin(login: PendingLogin): Promise<void>;
  /**
   * Checks a code's hash against `mxid`'s pending login. Right: the row is removed and returned; single use,
   * only one caller can win. Wrong: one try is spent, and the last try removes the row (`triesLeft` 0). No
   * row, or an expired one (removed): `none`. Another account's pending login is never looked at.
   */
  redeemPendingLogin(mxid: string, codeHash: string, now: number): Promise<PendingLoginCheck>;
  /** Whether `mxid` has a pending login that has not expired (for status and tests). */
  hasPendingLogin(mxid: string, now: number): Promise<boolean>;
  /** Removes pending logins that expired before `now`, tokens and all; returns how many. */
  prunePendingLogins(now: number): Promise<number>;
  /** Drops the login waiting for `mxid`'s code, token and all; true when there was one. */
  discardPendingLogin(mxid: string): Promise<boolean>;
}

export interface Portal {
  mxid: string;
  gitterRoomId: string;
  matrixRoomId: string;
  oneToOne: boolean;
  /** The id of the last Gitter message bridged into this portal: the catch-up cursor. */
  lastGitterMessageId: string | null;
  /**
   * A hash of the bridge info last written into the Matrix room; null or absent when not known. putPortal keeps
   * the stored one unless this is given.
   */
  bridgeInfoHash?: string | null;
}

/**
 * Portals in use. A closed portal (see closePortal) is seen only by getClosedPortal, until putPortal opens it
 * again or deletePortal forgets it.
 */
export interface PortalStore {
  getPortal(mxid: string, gitterRoomId: string): Promise<Portal | null>;
  getPortalByMatrixRoom(matrixRoomId: string): Promise<Portal | null>;
  listPortals(mxid: string): Promise<Portal[]>;
  /** Inserts or replaces the row for (mxid, gitterRoomId), open (in use) whether or not it was closed. */
  putPortal(portal: Portal): Promise<void>;
  /** Marks the portal closed at `now`, keeping its Matrix room for a later putPortal; a missing one is ignored. */
  closePortal(mxid: string, gitterRoomId: string, now: number): Promise<void>;
  /** The closed portal of (mxid, gitterRoomId), or null when there is none (or it is open). */
  getClosedPortal(mxid: string, gitterRoomId: string): Promise<Portal | null>;
  /** Moves the cursor forward only: an older id than the stored one is ignored. */
  advanceCursor(mxid: string, gitterRoomId: string, gitterMessageId: string): Promise<void>;
  deletePortal(mxid: string, gitterRoomId: string): Promise<void>;
  /** Records which bridge info the portal's Matrix room now holds; a missing portal is ignored. */
  setBridgeInfoHash(mxid: string, gitterRoomId: string, hash: string): Promise<void>;
}

export interface Ghost {
  gitterUserId: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  /** The mxc:// uri of the uploaded avatar, null until uploaded. */
  avatarMxc: string | null;
}

export interface GhostStore {
  getGhost(gitterUserId: string): Promise<Ghost | null>;
  /** Free-text fields lose any U+0000 (PostgreSQL cannot store it; dropped on every engine alike). */
  putGhost(ghost: Ghost): Promise<void>;
  /** Records the username behind a shortened ghost localpart, exactly (any text); a repeat is a no-op. */
  putGhostId(localpart: string, username: string): Promise<void>;
  /** Every username recorded by putGhostId. */
  ghostIdUsernames(): Promise<string[]>;
}

export type Direction = "gitter-to-matrix" | "matrix-to-gitter";

export interface MessageLink {
  matrixRoomId: string;
  matrixEventId: string;
  gitterRoomId: string;
  gitterMessageId: string;
  direction: Direction;
  createdAt: number;
  /** The Gitter id of the thread root, for a thread reply; absent for a top-level message. */
  gitterThreadId?: string;
}

export interface MessageStore {
  /** Records a bridged message. Recording the same pair again is a no-op. */
  recordMessage(link: MessageLink): Promise<void>;
  byGitterMessage(matrixRoomId: string, gitterMessageId: string): Promise<MessageLink | null>;
  byMatrixEvent(matrixEventId: string): Promise<MessageLink | null>;
  /** The newest reply (highest Gitter id) of a thread in a portal, or null when it has none bridged. */
  latestInThread(matrixRoomId: string, gitterThreadId: string): Promise<MessageLink | null>;
  /** Drops the link of a deleted message, so later echoes of the deletion find nothing to act on. */
  forgetMessage(matrixRoomId: string, gitterMessageId: string): Promise<void>;
}

/**
 * One share of a Matrix file to Gitter: the file, and the event whose content linked it. Gitter readers are served
 * the file through the bridge's public media route while at least one share of it is left.
 */
export interface SharedMedia {
  serverName: string;
  mediaId: string;
  filename: string;
  mimetype: string | null;
  matrixRoomId: string;
  /** The event whose content linked the file: a message, or an edit (`m.replace`) of one. */
  matrixEventId: string;
  /** The message that event belongs to: itself for a new message, the edited message for an edit. */
  messageEventId: string;
  /** The portal owner who shared it. */
  mxid: string;
  sharedAt: number;
}

export interface MediaStore {
  /**
   * Records a share; recording the same file from the same event again keeps the first record. A file name is cut
   * to 255 characters (without U+0000); a mimetype longer than that or holding control characters is stored as null.
   */
  recordMedia(media: SharedMedia): Promise<void>;
  /** The oldest share left of a file, or null when none is (never shared, or every share withdrawn). */
  getMedia(serverName: string, mediaId: string): Promise<SharedMedia | null>;
  /**
   * Withdraws the shares made in `matrixRoomId` by `eventId` or by any edit of the message `eventId`; returns how
   * many went. Harmless when there are none.
   */
  unshareEvent(matrixRoomId: string, eventId: string): Promise<number>;
  /** Withdraws every share `mxid` made; returns how many went. */
  unshareUser(mxid: string): Promise<number>;
}

/**
 * A Matrix message about to be posted to Gitter, written before the POST. Until it is completed (the link
 * recorded) it may or may not be on Gitter; see src/puppet/outbox.ts for how that is decided.
 */
export interface SendIntent {
  matrixEventId: string;
  /** The portal owner, whose Gitter account posts it. */
  mxid: string;
  matrixRoomId: string;
  gitterRoomId: string;
  /** Exactly the text posted (after conversion), so history can be matched against it. */
  text: string;
  status: boolean;
  parentId: string | null;
  createdAt: number;
  /** The network's ids of files uploaded for it, posted with the text; absent when it has none. */
  fileIds?: string[];
}

export interface PendingSendStore {
  /**
   * Records the intent; if one exists for the event already, the first is kept (with its earlier time). The
   * text loses any U+0000 (PostgreSQL cannot store it; dropped on every engine alike).
   */
  putIntent(intent: SendIntent): Promise<void>;
  getIntent(matrixEventId: string): Promise<SendIntent | null>;
  /** A user's open intents, oldest first (for recovery when their session starts). */
  listIntents(mxid: string): Promise<SendIntent[]>;
  /** Open intents of one portal room, oldest first. */
  listIntentsInRoom(matrixRoomId: string): Promise<SendIntent[]>;
  /**
   * Records the message link (first record wins, as in MessageStore) and removes the intent of its Matrix
   * event, atomically: a crash leaves either both as they were or both done.
   */
  completeIntent(link: MessageLink): Promise<void>;
  /** Removes an intent that will not be sent (refused by Gitter, the user told). Harmless if absent. */
  dropIntent(matrixEventId: string): Promise<void>;
}

export interface InboxEvent {
  seq: number;
  txnId: string;
  event: Record<string, unknown>;
}

export interface NewestTransaction {
  txnId: string;
  /** The id is a decimal number and the one before it (id - 1) was received too. */
  afterPrevious: boolean;
}

export interface MarkOptions {
  /** The event carried a secret: its forgotten bytes are pushed out of the database's files at once. */
  wipe?: boolean;
}

export interface InboxStore {
  /**
   * Records a homeserver transaction and its events atomically; returns whether anything new was recorded.
   * Events whose event_id is already in the inbox are skipped. A txnId seen before is a replay (false, only its time
   * of receipt updated) unless it carries room events never seen: homeservers may reuse ids after a restart (Synapse on
   * SQLite does), so those events and the transaction's ephemeral events are recorded (true).
   */
  acceptTransaction(txnId: string, events: Record<string, unknown>[], now: number): Promise<boolean>;
  /**
   * The transaction received last (the latest `now` given to acceptTransaction, a replay's included), and whether
   * the id just below its own was received too (decimal ids only); null when none is kept (see pruneProcessed).
   */
  newestTransaction(): Promise<NewestTransaction | null>;
  /** The oldest unprocessed events, in arrival order. */
  pendingEvents(limit: number): Promise<InboxEvent[]>;
  /**
   * Marks a handled event: it leaves the pending list for good and its content is forgotten, only its ids kept (for
   * replays and pruning), so nothing a person sent outlives its handling in the database. `wipe`, for an event that
   * carried a secret, also pushes the forgotten bytes out of the engine's files where the engine allows it (SQLite:
   * the write-ahead log is checkpointed and truncated; PostgreSQL keeps the old row version until VACUUM, see
   * README "Security"). Unknown or already processed seqs change nothing.
   */
  markProcessed(seq: number, options?: MarkOptions): Promise<void>;
  countPending(): Promise<number>;
  /**
   * Forgets the content of handled events that still have it, as markProcessed does, wiping as for a secret when
   * there were any (events handled by a version of the bridge that kept it); returns how many.
   */
  forgetHandledContent(): Promise<number>;
  /**
   * Forgets transactions received before `before` whose events are all processed, with those events; returns how
   * many transactions went. A homeserver replaying one of them after that would have it handled again, so keep
   * `before` well behind any homeserver's retries (days, not minutes).
   */
  pruneProcessed(before: number): Promise<number>;
}

export interface RoomRefusalStore {
  /** The reason loses any U+0000, as other free text does. */
  refuseRoom(roomId: string, reason: string): Promise<void>;
  isRefused(roomId: string): Promise<boolean>;
}

export interface Store {
  users: UserStore;
  oauthStates: OAuthStateStore;
  pendingLogins: PendingLoginStore;
  portals: PortalStore;
  ghosts: GhostStore;
  messages: MessageStore;
  media: MediaStore;
  pendingSends: PendingSendStore;
  inbox: InboxStore;
  refusals: RoomRefusalStore;
  reactions: ReactionStore;
  /** Reports the applied and the known migrations, for `doctor`. */
  migrationStatus(): Promise<{ current: boolean; applied: string[]; pending: string[] }>;
  close(): Promise<void>;
}
