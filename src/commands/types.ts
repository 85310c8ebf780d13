// Commands are data: the table drives parsing, permission checks, usage messages and `help`.
import type { CheckResult } from "../doctor/types";
import type { NetworkTarget, NetworkTerms } from "../network/terms";

export type Permission = "user" | "admin";

export interface Reply {
  text: string;
  html?: string;
}

export interface GitterRoomSummary {
  id: string;
  name: string;
  /** Absent for one-to-one chats. */
  uri?: string;
  oneToOne: boolean;
  /** A Matrix room is open for it (a portal exists). */
  open: boolean;
  /** After gjoin or invite: whether the user was already in that Matrix room, or is invited to it. */
  membership?: "joined" | "invited";
}

export interface SessionStatus {
  loggedIn: boolean;
  /** The network's name for people (`Gitter`, `Mattermost`). */
  network?: string;
  gitterUsername?: string;
  connection?: string;
  portals?: number;
}

/** What a Matrix user sending a login code gets. */
export type LoginCodeResult =
  | { kind: "logged-in"; gitterUsername: string }
  /** No login waits for this account's code (none was approved, it expired, or it was used up). */
  | { kind: "none" }
  /** `triesLeft` 0: that was the last try and the waiting login is discarded. */
  | { kind: "wrong"; triesLeft: number }
  /** The stored token no longer opens; the login is discarded. */
  | { kind: "failed" };

/** What a Matrix user sending a personal access token gets. `network` names the network for people. */
export type TokenLoginResult =
  | { kind: "logged-in"; network: string; username: string }
  /** The network offers no personal token login (Gitter): the OAuth link is the way in. */
  | { kind: "not-offered"; network: string }
  /** The network did not take the token (mistyped, expired, revoked, or of a deactivated account). */
  | { kind: "refused"; network: string }
  /** The network could not be asked (down, limiting us): nothing was stored, the same token may work later. */
  | { kind: "unavailable"; network: string };

/**
 * What commands may ask of the bridge. Implemented by the core; every method may reject with a
 * `UserFacingError` whose message is shown to the person as is, or with any other error (logged, and the
 * person gets a generic apology).
 */
/** What logout found: a login, only a login still waiting for its code (or an unused link), or nothing. */
export type LogoutResult = "logged-out" | "login-cancelled" | "not-logged-in";

/** The network as the bot's texts name it: its name for people (`Gitter`, `Mattermost`) and its words. */
export interface CommandNetwork {
  readonly name: string;
  readonly terms: NetworkTerms;
  /** `search` finds people too (the network's capabilities.userSearch). */
  readonly searchesUsers?: boolean;
}

export interface CommandServices {
  /** The network the bridge serves, for the texts; its terms parse the targets commands name. */
  readonly network: CommandNetwork;
  /** Whether the network offers logging in through a link to its OAuth pages. Never throws. */
  offersLinkLogin(): boolean;
  /** A fresh login link; a UserFacingError where the network offers none (see offersLinkLogin). */
  loginLink(mxid: string): Promise<string>;
  /** Checks the code `mxid` sent against their own pending login; the right one logs them in. */
  confirmLogin(mxid: string, code: string): Promise<LoginCodeResult>;
  /** Whether the network offers logging in with a personal access token sent to the bot. Never throws. */
  offersTokenLogin(): boolean;
  /**
   * Checks a personal access token with the network and, when it takes it, stores it sealed as `mxid`'s login and
   * starts the session. The token is never logged, echoed or put into an error's message.
   */
  loginWithToken(mxid: string, token: string): Promise<TokenLoginResult>;
  /**
   * Forgets the user's token and closes their portals; a login waiting for its code and unused login links are
   * discarded too. Says which of those there was.
   */
  logout(mxid: string): Promise<LogoutResult>;
  status(mxid: string): Promise<SessionStatus>;
  listRooms(mxid: string): Promise<GitterRoomSummary[]>;
  /** Joins on Gitter (room uri) or opens a one-to-one chat (username), then opens the portal. */
  join(mxid: string, target: GitterTarget): Promise<GitterRoomSummary>;
  /** Leaves on Gitter and closes the portal. */
  part(mxid: string, target: GitterTarget): Promise<GitterRoomSummary>;
  /** Opens (or re-invites the user to) the portal of a room the user is already in on Gitter. */
  openPortal(mxid: string, target: GitterTarget): Promise<GitterRoomSummary>;
  searchRooms(mxid: string, query: string): Promise<{ name: string; uri: string; userCount: number }[]>;
  /** People whose username or name starts with `query`; asked only where `network.searchesUsers`. */
  searchUsers?(mxid: string, query: string): Promise<{ username: string; displayName: string }[]>;
  /**
   * Runs the setup checks (admins only; the command table enforces it). Takes a few seconds at most; never
   * rejects for a failing check, and the results hold no secret.
   */
  doctor(): Promise<CheckResult[]>;
}

/** A room (`uri`: what the network's resolveRoom takes) or a person, as the network's terms parsed it. */
export type GitterTarget = NetworkTarget;

export interface CommandContext {
  mxid: string;
  permission: Permission;
  loggedIn: boolean;
  services: CommandServices;
}

export interface ArgSpec {
  name: string;
  /** Its name as the network's people say it, a ./words template (`{room}`); the name where absent. */
  shown?: string;
  optional?: boolean;
  /** Takes the rest of the line (spaces included). */
  rest?: boolean;
  /** What the rest of the line must look like; anything else gets the usage. */
  shape?: RegExp;
}

export interface Command {
  name: string;
  aliases?: string[];
  /** Its name as the network's people say it, a ./words template (`{join}`); the name where absent. */
  shownName?: string;
  args: ArgSpec[];
  /** A ./words template, or one chosen by what the bridge offers (the login flows). */
  help: string | ((services: CommandServices) => string);
  needsLogin: boolean;
  permission?: Permission;
  /** The line carries a secret (a token): the bot removes the message before anything else is done with it. */
  secret?: boolean;
  /** Listed by `help` only where this says so (a login flow the network offers); typed anyway, it still answers. */
  offered?(services: CommandServices): boolean;
  run(ctx: CommandContext, args: string[]): Promise<Reply>;
}

/** An error whose message is meant for the person who sent the command. */
export class UserFacingError extends Error {
  constructor(
    readonly personMessage: string,
    logMessage?: string,
  ) {
    super(logMessage ?? personMessage);
    this.name = "UserFacingError";
  }
}
