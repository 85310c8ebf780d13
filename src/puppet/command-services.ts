// What the bot's commands ask of the bridge (CommandServices), on top of the running sessions: logging in and
// out, the user's rooms on the network, joining, leaving, searching. The sessions' lifecycle itself is manager.ts.
// What it tells people is in the network's words (commands/words.ts).
import type { CommandNetwork, CommandServices, GitterRoomSummary, GitterTarget, LoginCodeResult, LogoutResult, SessionStatus, TokenLoginResult } from "../commands/types";
import { UserFacingError } from "../commands/types";
import { fill } from "../commands/words";
import type { CheckResult } from "../doctor/types";
import { isNetworkError } from "../network/errors";
import type { NetworkTerms } from "../network/terms";
import type { NetworkRoom } from "../network/types";
import { getLogger } from "../util/log";
import type { TokenLogin } from "./login-token";
import type { SessionManager } from "./manager";
import { closePortalRoom, type CloseDeps } from "./portal-reopen";
import type { UserSession } from "./session";

const log = getLogger("commands");

export interface CommandServicesDeps extends CloseDeps {
  sessions: SessionManager;
  /** The network's name for people (the connector's displayName). */
  networkName: string;
  /** The network's words, and its parser of targets (the connector's terms). */
  terms: NetworkTerms;
  /** The network searches users (its capabilities.userSearch). */
  searchesUsers?: boolean;
  /** A fresh login link for `mxid`; absent where the network has no link login (no OAuth app). */
  loginLink?(mxid: string): Promise<string>;
  /** Checks a login code `mxid` sent (see LoginService.confirmCode); the right one stores the login. */
  confirmLogin(mxid: string, code: string): Promise<LoginCodeResult>;
  /** The personal token login (offered or not, as the network says). */
  tokenLogin: TokenLogin;
  /** Runs the setup checks. */
  doctor(): Promise<CheckResult[]>;
}

export class BridgeCommandServices implements CommandServices {
  readonly network: CommandNetwork;

  constructor(private readonly deps: CommandServicesDeps) {
    this.network = { name: deps.networkName, terms: deps.terms, searchesUsers: deps.searchesUsers === true };
  }

  offersLinkLogin(): boolean {
    return this.deps.loginLink !== undefined;
  }

  async loginLink(mxid: string): Promise<string> {
    if (!this.deps.loginLink) throw new UserFacingError(this.words("{network} offers no login link here. Send `login` to see how to log in."));
    return this.deps.loginLink(mxid);
  }

  /** `text` in the network's words. */
  private words(text: string): string {
    return fill(text, this.network);
  }

  /** The right code stores the login; its session then starts, not awaited (it opens every portal). */
  async confirmLogin(mxid: string, code: string): Promise<LoginCodeResult> {
    const result = await this.deps.confirmLogin(mxid, code);
    if (result.kind === "logged-in") this.startStoredLogin(mxid);
    return result;
  }

  offersTokenLogin(): boolean {
    return this.deps.tokenLogin.offered;
  }

  /** A token the network takes is stored; its session then starts, not awaited, as after a login code. */
  async loginWithToken(mxid: string, token: string): Promise<TokenLoginResult> {
    const result = await this.deps.tokenLogin.login(mxid, token);
    if (result.kind === "logged-in") this.startStoredLogin(mxid);
    return result;
  }

  private startStoredLogin(mxid: string): void {
    void this.deps.sessions.startStoredLogin(mxid).catch((err: Error) => log.error("starting the session after login failed", { mxid, error: err }));
  }

  async logout(mxid: string): Promise<LogoutResult> {
    const { store, sessions } = this.deps;
    const user = await store.users.getUser(mxid);
    const session = sessions.session(mxid);
    const reason = this.words("You logged out of the {network} bridge.");
    for (const portal of await store.portals.listPortals(mxid)) {
      if (session) await session.closePortal(portal.gitterRoomId, reason);
      else await closePortalRoom(this.deps, portal, reason);
    }
    await sessions.stopSession(mxid);
    // Files the user shared stop being served: their links on Gitter answer 404 from now on.
    await store.media.unshareUser(mxid);
    // A link handed out, or an approval waiting for its code, must not log the user back in after this.
    const links = await store.oauthStates.discardStates(mxid);
    const pending = await store.pendingLogins.discardPendingLogin(mxid);
    if (!user?.tokenCiphertext) return links > 0 || pending ? "login-cancelled" : "not-logged-in";
    await store.users.clearLogin(mxid);
    log.info("logged out", { mxid });
    return "logged-out";
  }

  async status(mxid: string): Promise<SessionStatus> {
    const user = await this.deps.store.users.getUser(mxid);
    if (!user?.tokenCiphertext || !user.gitterUsername) return { loggedIn: false };
    const s = this.deps.sessions.session(mxid);
    return { loggedIn: true, network: this.deps.networkName, gitterUsername: user.gitterUsername, connection: s?.connection ?? "not running", portals: s?.portalCount() ?? 0 };
  }

  async listRooms(mxid: string): Promise<GitterRoomSummary[]> {
    const s = this.require(mxid);
    const rooms = await s.ctx.network.listRooms();
    return rooms.map((r) => summary(r, !!s.portalByGitterRoom(r.id)));
  }

  async join(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    let room = await resolve(s, target, this.network);
    if (room.kind === "group") room = { ...room, ...(await joinById(s, room, this.network)) };
    return { ...summary(room, true), membership: await s.openForOwner(room) };
  }

  /** A one-to-one is hidden, as it cannot be left (the network's `leave` does either). */
  async part(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    const room = await findMine(s, target, this.network);
    await s.ctx.network.leave(room.id);
    await s.closePortal(room.id, this.words("You left this room with {part}."));
    return summary(room, false);
  }

  async openPortal(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    const room = await findMine(s, target, this.network);
    return { ...summary(room, true), membership: await s.openForOwner(room) };
  }

  async searchRooms(mxid: string, query: string): Promise<{ name: string; uri: string; userCount: number }[]> {
    const s = this.require(mxid);
    const rooms = await s.ctx.network.searchRooms(query, 10);
    return rooms.flatMap((r) => (r.link ? [{ name: r.name, uri: r.link, userCount: r.memberCount ?? 0 }] : []));
  }

  async searchUsers(mxid: string, query: string): Promise<{ username: string; displayName: string }[]> {
    const users = await this.require(mxid).ctx.network.searchUsers(query, 10);
    return users.map((u) => ({ username: u.username, displayName: u.displayName }));
  }

  doctor(): Promise<CheckResult[]> {
    return this.deps.doctor();
  }

  private require(mxid: string): UserSession {
    const s = this.deps.sessions.session(mxid);
    if (!s) throw new UserFacingError(this.words("Your {network} session is not running. Send `login` to log in again."));
    return s;
  }
}

/** The room or the one-to-one a command names, without joining it; a UserFacingError when there is none. */
async function resolve(s: UserSession, target: GitterTarget, network: CommandNetwork): Promise<NetworkRoom> {
  const uri = target.kind === "room" ? target.uri : target.username;
  try {
    return target.kind === "room" ? await s.ctx.network.resolveRoom(uri) : await s.ctx.network.openDirect([uri]);
  } catch (err) {
    if (isNetworkError(err, "not-found") || isNetworkError(err, "rejected") || isNetworkError(err, "forbidden")) {
      const text = target.kind === "room" ? `${fill("There is no {network} {room}", network)} ${uri}, or you cannot see it.` : `${fill("There is no {network} user", network)} ${uri}.`;
      throw new UserFacingError(text);
    }
    throw err;
  }
}

/** Joins a group room; one the network no longer has is said so, rather than to try again later. */
async function joinById(s: UserSession, room: NetworkRoom, network: CommandNetwork): Promise<NetworkRoom> {
  try {
    return await s.ctx.network.join(room.id);
  } catch (err) {
    if (isNetworkError(err, "not-found")) throw new UserFacingError(`${fill("The {network} {room}", network)} ${room.link ?? room.name} no longer exists.`);
    throw err;
  }
}

async function findMine(s: UserSession, target: GitterTarget, network: CommandNetwork): Promise<NetworkRoom> {
  const rooms = await s.ctx.network.listRooms();
  const want = (target.kind === "room" ? target.uri : target.username).toLowerCase();
  const room = rooms.find((r) =>
    target.kind === "room" ? r.link?.toLowerCase() === want : r.kind === "direct" && r.others?.[0]?.username.toLowerCase() === want,
  );
  if (!room) {
    const what = target.kind === "room" ? want : `${fill("a {directChat} with", network)} @${want}`;
    throw new UserFacingError(`You are not in ${what} ${fill("on {network}. See `list`.", network)}`);
  }
  return room;
}

function summary(r: NetworkRoom, open: boolean): GitterRoomSummary {
  return { id: r.id, name: r.name, uri: r.link, oneToOne: r.kind === "direct", open };
}
