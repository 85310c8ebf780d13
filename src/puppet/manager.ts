// Owns every logged-in user's session: resumes them on start, starts one on login, ends it on logout or
// when Gitter stops accepting the token. Implements what the bot's commands ask of the bridge.
import type { CommandServices, GitterRoomSummary, GitterTarget, LoginCodeResult, LogoutResult, SessionStatus } from "../commands/types";
import { UserFacingError } from "../commands/types";
import type { CheckResult } from "../doctor/types";
import { isGitterStatus } from "../gitter/errors";
import { GitterRestClient } from "../gitter/rest";
import type { GitterRoom } from "../gitter/types";
import type { MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { MessageMetrics } from "../metrics";
import type { TokenCipher } from "../store/crypto";
import type { BridgeUser, Store } from "../store/store";
import { Gate } from "../util/gate";
import { getLogger } from "../util/log";
import type { GhostManager } from "./ghosts";
import type { LoginIdentity } from "./login";
import { loginCause, noticeSender, type NoticeAbout, type SayNotice } from "./notices";
import type { MediaBridge } from "./portal-media";
import { closePortalRoom } from "./portal-reopen";
import type { PortalQueues } from "./portal-queues";
import { Stopped } from "./retry";
import { joinById } from "./room-list";
import { UserSession } from "./session";

const log = getLogger("sessions");

export interface ManagerDeps {
  store: Store;
  matrix: MatrixClient;
  ids: MatrixIds;
  ghosts: GhostManager;
  queue: PortalQueues;
  cipher: TokenCipher;
  gitter: { apiUrl: string; realtimeUrl: string };
  maxPortalMembers: number;
  media: MediaBridge;
  metrics?: MessageMetrics;
  /** Tells a user something in their control room; never throws. */
  tell(mxid: string, about: NoticeAbout, text: string, html?: string): Promise<void>;
  /** A fresh login link for `mxid`. */
  loginLink(mxid: string): Promise<string>;
  /** Checks a login code `mxid` sent (see LoginService.confirmCode); the manager starts the session it stored. */
  confirmLogin(mxid: string, code: string): Promise<LoginCodeResult>;
  /** Runs the setup checks; see CommandServices.doctor. */
  doctor(): Promise<CheckResult[]>;
  /** Whether bridge.permissions still lets `mxid` use the bridge (checked when sessions resume). */
  mayUse(mxid: string): boolean;
}

/** Gitter REST requests in flight at once, all users together: a restart catches up every room of every user. */
const GITTER_REQUESTS_IN_FLIGHT = 64;
/**
 * Sessions being started at once when the bridge resumes. Each start reads the user's portals and asks Gitter
 * for their rooms; ten thousand at once starve the database queue until its lookups time out.
 */
const RESUMING_AT_ONCE = 32;
/** Realtime sessions handshaking and subscribing at once, all users together. */
const CONNECTING_AT_ONCE = 32;

export class SessionManager implements CommandServices {
  private readonly sessions = new Map<string, UserSession>();
  private readonly lifetimes = new Map<string, AbortController>();
  /** Settles once resumeAll has created the stored users' sessions (not waiting for them to connect). */
  private readonly resumed: Promise<void>;
  private markResumed!: () => void;
  private stopping = false;
  private readonly gitterGate = new Gate(GITTER_REQUESTS_IN_FLIGHT);
  private readonly connectGate = new Gate(CONNECTING_AT_ONCE);
  private readonly notice: SayNotice;

  constructor(private readonly deps: ManagerDeps) {
    this.resumed = new Promise((resolve) => (this.markResumed = resolve));
    this.notice = noticeSender(deps.matrix, deps.ids.botMxid);
  }

  session(mxid: string): UserSession | undefined {
    return this.sessions.get(mxid);
  }

  /**
   * The user's session, waiting first until resumeAll has created the stored users' sessions, so that an
   * event handled right after a restart is not taken for one of a user without a session. Undefined when the
   * user has none. Rejects with Stopped once the bridge is shutting down (the event is then handled next start).
   */
  async sessionFor(mxid: string): Promise<UserSession | undefined> {
    await this.resumed;
    if (this.stopping) throw new Stopped("the bridge is shutting down");
    return this.sessions.get(mxid);
  }

  /** Running sessions by realtime connection state, for metrics. */
  sessionStates(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.sessions.values()) out.set(s.connection, (out.get(s.connection) ?? 0) + 1);
    return out;
  }

  /** Watched rooms not live yet across all sessions, for metrics. */
  roomsCatchingUp(): number {
    let n = 0;
    for (const s of this.sessions.values()) n += s.roomsCatchingUp();
    return n;
  }

  /** Starts a session for every user with a stored token; one failing user does not stop the others. */
  async resumeAll(): Promise<void> {
    let resuming: UserSession[] = [];
    try {
      const users = await this.deps.store.users.listLoggedInUsers();
      // Every session is registered before any starts, so an event handled right after the restart finds its
      // user's session (and waits there for the portals) instead of taking them for a user without one.
      resuming = users.flatMap((u) => this.registerStored(u));
    } finally {
      this.markResumed();
    }
    // Started a few at a time: each start reads the user's portals and asks Gitter for their rooms.
    const gate = new Gate(RESUMING_AT_ONCE);
    await Promise.all(
      resuming.map((s) =>
        gate.run(() => this.runSession(s)).catch((err: Error) => log.error("could not resume a session", { mxid: s.mxid, error: err })),
      ),
    );
    log.info("sessions resumed", { count: this.sessions.size });
  }

  /** Called once a login's token is stored: replaces any running session and tells the user. */
  async onLogin(mxid: string, identity: LoginIdentity, token: string): Promise<void> {
    await this.stopSession(mxid);
    const about = { cause: await this.loginCauseOf(mxid), purpose: "logged-in" };
    await this.deps.tell(mxid, about, `You are logged in to Gitter as ${identity.gitterUsername}. Opening your rooms now.`);
    await this.startSession(mxid, identity, token);
  }

  /** Stops every session for shutdown; work waiting on an outage gives up and is picked up by the next start. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    this.markResumed();
    await Promise.all([...this.sessions.keys()].map((m) => this.stopSession(m, "the bridge is shutting down")));
  }

  private async startSession(mxid: string, identity: LoginIdentity, token: string): Promise<UserSession> {
    const session = this.createSession(mxid, identity, token);
    await session.start();
    return session;
  }

  /** Makes and registers a user's session without starting it. */
  private createSession(mxid: string, identity: LoginIdentity, token: string): UserSession {
    const rest = new GitterRestClient({ apiUrl: this.deps.gitter.apiUrl, token, gate: this.gitterGate });
    const lifetime = new AbortController();
    const ctx = {
      ...identity,
      mxid,
      rest,
      matrix: this.deps.matrix,
      ids: this.deps.ids,
      ghosts: this.deps.ghosts,
      store: this.deps.store,
      queue: this.deps.queue,
      maxPortalMembers: this.deps.maxPortalMembers,
      media: this.deps.media,
      lifetime: lifetime.signal,
      metrics: this.deps.metrics,
      notice: (roomId: string, about: NoticeAbout, text: string) => this.notice(roomId, about, text),
    };
    const session = new UserSession(ctx, { fayeUrl: this.deps.gitter.realtimeUrl, token, connectGate: this.connectGate }, {
      onTokenInvalid: (s) => void this.onTokenInvalid(s.mxid),
    });
    this.sessions.set(mxid, session);
    this.lifetimes.set(mxid, lifetime);
    return session;
  }

  /** A stored user's session, registered, or none when their login is incomplete or its token does not open. */
  private registerStored(u: BridgeUser): UserSession[] {
    if (!u.gitterUserId || !u.gitterUsername || !u.tokenCiphertext) return [];
    if (!this.deps.mayUse(u.mxid)) {
      // Taken out of bridge.permissions since logging in: the login is kept (put them back and it resumes).
      log.info("not resuming a session: bridge.permissions no longer allows this user", { mxid: u.mxid });
      return [];
    }
    try {
      const token = this.deps.cipher.decrypt(u.tokenCiphertext);
      return [this.createSession(u.mxid, { gitterUserId: u.gitterUserId, gitterUsername: u.gitterUsername }, token)];
    } catch (err) {
      log.error("could not resume a session", { mxid: u.mxid, error: err as Error });
      return [];
    }
  }

  /** Starts a registered session unless it was stopped or replaced (logout, new login, shutdown) meanwhile. */
  private async runSession(session: UserSession): Promise<void> {
    if (this.sessions.get(session.mxid) !== session) return;
    await session.start();
  }

  private async stopSession(mxid: string, reason = "the session ended"): Promise<void> {
    const s = this.sessions.get(mxid);
    this.sessions.delete(mxid);
    this.lifetimes.get(mxid)?.abort(reason);
    this.lifetimes.delete(mxid);
    await s?.stop();
  }

  private async onTokenInvalid(mxid: string): Promise<void> {
    await this.stopSession(mxid);
    const about = { cause: await this.loginCauseOf(mxid), purpose: "token-invalid" };
    await this.deps.store.users.clearLogin(mxid);
    const link = await this.deps.loginLink(mxid);
    await this.deps.tell(
      mxid,
      about,
      `Gitter no longer accepts your login, so your rooms are paused. Log in again to resume: ${link}`,
    );
    log.warn("token no longer valid; session stopped", { mxid });
  }

  /** The stored login a notice about logging in or out is about: one per login, whichever process says it. */
  private async loginCauseOf(mxid: string): Promise<string> {
    const sealed = (await this.deps.store.users.getUser(mxid))?.tokenCiphertext;
    return sealed ? loginCause(sealed) : `no-login-${mxid}`;
  }

  // ---- CommandServices ----

  loginLink(mxid: string): Promise<string> {
    return this.deps.loginLink(mxid);
  }

  /** The right code stores the login; its session then starts here, not awaited (it opens every portal). */
  async confirmLogin(mxid: string, code: string): Promise<LoginCodeResult> {
    const result = await this.deps.confirmLogin(mxid, code);
    if (result.kind === "logged-in") {
      void this.startStoredLogin(mxid).catch((err: Error) => log.error("starting the session after login failed", { mxid, error: err }));
    }
    return result;
  }

  /** Starts (or restarts) `mxid`'s session from the login just stored, and tells them. */
  private async startStoredLogin(mxid: string): Promise<void> {
    const u = await this.deps.store.users.getUser(mxid);
    if (!u?.gitterUserId || !u.gitterUsername || !u.tokenCiphertext) return;
    const token = this.deps.cipher.decrypt(u.tokenCiphertext);
    await this.onLogin(mxid, { gitterUserId: u.gitterUserId, gitterUsername: u.gitterUsername }, token);
  }

  async logout(mxid: string): Promise<LogoutResult> {
    const user = await this.deps.store.users.getUser(mxid);
    const session = this.sessions.get(mxid);
    const reason = "You logged out of the Gitter bridge.";
    for (const portal of await this.deps.store.portals.listPortals(mxid)) {
      if (session) await session.closePortal(portal.gitterRoomId, reason);
      else await closePortalRoom(this.deps, portal, reason);
    }
    await this.stopSession(mxid);
    // Files the user shared stop being served: their links on Gitter answer 404 from now on.
    await this.deps.store.media.unshareUser(mxid);
    // A link handed out, or an approval waiting for its code, must not log the user back in after this.
    const links = await this.deps.store.oauthStates.discardStates(mxid);
    const pending = await this.deps.store.pendingLogins.discardPendingLogin(mxid);
    if (!user?.tokenCiphertext) return links > 0 || pending ? "login-cancelled" : "not-logged-in";
    await this.deps.store.users.clearLogin(mxid);
    log.info("logged out", { mxid });
    return "logged-out";
  }

  async status(mxid: string): Promise<SessionStatus> {
    const user = await this.deps.store.users.getUser(mxid);
    if (!user?.tokenCiphertext || !user.gitterUsername) return { loggedIn: false };
    const s = this.sessions.get(mxid);
    return { loggedIn: true, gitterUsername: user.gitterUsername, connection: s?.connection ?? "not running", portals: s?.portalCount() ?? 0 };
  }

  async listRooms(mxid: string): Promise<GitterRoomSummary[]> {
    const s = this.require(mxid);
    const rooms = await s.ctx.rest.listRooms();
    return rooms.filter((r) => r.roomMember !== false).map((r) => summary(r, !!s.portalByGitterRoom(r.id)));
  }

  async join(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    let room = await this.resolve(s, target);
    if (!room.oneToOne) room = { ...room, ...(await joinById(s.ctx.rest, room)) };
    return { ...summary(room, true), membership: await s.openForOwner(room) };
  }

  async part(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    const room = await this.findMine(s, target);
    if (room.oneToOne) await s.ctx.rest.hideRoom(room.id);
    else await s.ctx.rest.leaveRoom(room.id);
    await s.closePortal(room.id, "You left this room with gpart.");
    return summary(room, false);
  }

  async openPortal(mxid: string, target: GitterTarget): Promise<GitterRoomSummary> {
    const s = this.require(mxid);
    const room = await this.findMine(s, target);
    return { ...summary(room, true), membership: await s.openForOwner(room) };
  }

  async searchRooms(mxid: string, query: string): Promise<{ name: string; uri: string; userCount: number }[]> {
    const s = this.require(mxid);
    const rooms = await s.ctx.rest.searchRooms(query, { limit: 10 });
    return rooms.filter((r) => r.uri).map((r) => ({ name: r.name, uri: r.uri!, userCount: r.userCount }));
  }

  doctor(): Promise<CheckResult[]> {
    return this.deps.doctor();
  }

  private require(mxid: string): UserSession {
    const s = this.sessions.get(mxid);
    if (!s) throw new UserFacingError("Your Gitter session is not running. Send `login` to log in again.");
    return s;
  }

  private async resolve(s: UserSession, target: GitterTarget): Promise<GitterRoom> {
    const uri = target.kind === "room" ? target.uri : target.username;
    try {
      return await s.ctx.rest.resolveRoom(uri);
    } catch (err) {
      if (isGitterStatus(err, 404) || isGitterStatus(err, 400) || isGitterStatus(err, 403)) {
        throw new UserFacingError(
          target.kind === "room" ? `There is no Gitter room ${uri}, or you cannot see it.` : `There is no Gitter user ${uri}.`,
        );
      }
      throw err;
    }
  }

  private async findMine(s: UserSession, target: GitterTarget): Promise<GitterRoom> {
    const rooms = await s.ctx.rest.listRooms();
    const want = (target.kind === "room" ? target.uri : target.username).toLowerCase();
    const room = rooms.find((r) =>
      target.kind === "room" ? r.uri?.toLowerCase() === want : r.oneToOne && r.user?.username.toLowerCase() === want,
    );
    if (!room) throw new UserFacingError(`You are not in ${target.kind === "room" ? want : "a one-to-one chat with @" + want} on Gitter. See \`list\`.`);
    return room;
  }
}

function summary(r: GitterRoom, open: boolean): GitterRoomSummary {
  return { id: r.id, name: r.name, uri: r.uri, oneToOne: r.oneToOne, open };
}
