// The store's interfaces for logins (see ./store): the users and their network logins, the OAuth states of logins
// under way, and the logins approved on the network that wait for their Matrix account's code.
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
