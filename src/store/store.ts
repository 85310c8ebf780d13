// The bridge's persistent state, grouped by entity. One contract test suite runs against every engine.
// Every method may reject when the database is unreachable; none repeats work on its own.
// Times are epoch milliseconds. Matrix ids are full ids (`@alice:example.org`, `!room:example.org`).
// The interfaces of each concern are in files of their own, all exported from here.
import type { ReactionStore } from "./reactions";
import type { InboxStore } from "./store-inbox";
import type { OAuthStateStore, PendingLoginStore, UserStore } from "./store-logins";
import type { MediaStore, MessageStore, PendingSendStore } from "./store-messages";

export type { ReactionKey, ReactionLink, ReactionStore } from "./reactions";
export type { InboxEvent, InboxStore, MarkOptions, NewestTransaction } from "./store-inbox";
export type { BridgeUser, GitterLogin, OAuthStateStore, PendingLogin, PendingLoginCheck, PendingLoginStore, StateCheck, TokenRenewal, UserStore } from "./store-logins";
export type { Direction, MediaStore, MessageLink, MessageStore, PendingSendStore, SendIntent, SharedMedia } from "./store-messages";

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
