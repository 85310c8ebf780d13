// Owns every logged-in user's session: resumes them on start, starts one on login, ends it on logout or
// when Gitter stops accepting the token. What the bot's commands ask of the bridge is in command-services.ts.
import type { MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { MessageMetrics } from "../metrics";
import type { NetworkConnector } from "../network/connector";
import type { TokenCipher } from "../store/crypto";
import type { BridgeUser, Store } from "../store/store";
import { loginAgain } from "../commands/login-texts";
import { fill } from "../commands/words";
import { Gate } from "../util/gate";
import { getLogger } from "../util/log";
import type { GhostManager } from "./ghosts";
import type { LoginIdentity } from "./login";
import type { SessionRenewal } from "./login-renewal";
import { loginCause, noticeSender, type NoticeAbout, type SayNotice } from "./notices";
import type { MediaBridge } from "./portal-media";
import type { PortalQueues } from "./portal-queues";
import { Stopped } from "./retry";
import { UserSession } from "./session";

const log = getLogger("sessions");

export interface ManagerDeps {
  store: Store;
  matrix: MatrixClient;
  ids: MatrixIds;
  ghosts: GhostManager;
  queue: PortalQueues;
  cipher: TokenCipher;
  /** The network the sessions' clients come from (Gitter). */
  network: NetworkConnector;
  maxPortalMembers: number;
  media: MediaBridge;
  metrics?: MessageMetrics;
  /** Tells a user something in their control room; never throws. */
  tell(mxid: string, about: NoticeAbout, text: string, html?: string): Promise<void>;
  /** A fresh login link for `mxid` (offered when the network stops accepting their token); absent: no link login. */
  loginLink?(mxid: string): Promise<string>;
  /** Whether bridge.permissions still lets `mxid` use the bridge (checked when sessions resume). */
  mayUse(mxid: string): boolean;
  /** Renews logins whose tokens expire; absent where the network's tokens do not (Gitter). */
  renewal?: SessionRenewal;
}

/**
 * Sessions being started at once when the bridge resumes. Each start reads the user's portals and asks Gitter
 * for their rooms; ten thousand at once starve the database queue until its lookups time out.
 */
const RESUMING_AT_ONCE = 32;

export class SessionManager {
  private readonly sessions = new Map<string, UserSession>();
  private readonly lifetimes = new Map<string, AbortController>();
  /** Settles once resumeAll has created the stored users' sessions (not waiting for them to connect). */
  private readonly resumed: Promise<void>;
  private markResumed!: () => void;
  private stopping = false;
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
  async onLogin(mxid: string, identity: LoginIdentity, token: string, sealed: string): Promise<void> {
    await this.stopSession(mxid);
    const about = { cause: await this.loginCauseOf(mxid), purpose: "logged-in" };
    await this.deps.tell(mxid, about, `${this.words("You are logged in to {network} as")} ${identity.gitterUsername}. Opening your rooms now.`);
    // A logout (or a newer login) handled while the user was told: this login is no longer the stored one, and a
    // session started from it would bridge for a user who logged out. Nothing is awaited from here to the session
    // being registered, so a later logout finds it.
    if ((await this.deps.store.users.getUser(mxid))?.tokenCiphertext !== sealed) {
      log.info("login replaced or logged out before its session started; not starting it", { mxid });
      return;
    }
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
    // The identity was confirmed at login and stored: no who-am-I per start.
    const network = this.deps.network.resume(token, { id: identity.gitterUserId, username: identity.gitterUsername, displayName: identity.gitterUsername });
    const lifetime = new AbortController();
    const ctx = {
      ...identity,
      mxid,
      network,
      matrix: this.deps.matrix,
      ids: this.deps.ids,
      ghosts: this.deps.ghosts,
      store: this.deps.store,
      queue: this.deps.queue,
      maxPortalMembers: this.deps.maxPortalMembers,
      media: this.deps.media,
      lifetime: lifetime.signal,
      capabilities: this.deps.network.capabilities,
      networkName: this.deps.network.displayName,
      metrics: this.deps.metrics,
      notice: (roomId: string, about: NoticeAbout, text: string) => this.notice(roomId, about, text),
    };
    const session = new UserSession(ctx, {
      onTokenInvalid: (s) =>
        void this.onTokenInvalid(s.mxid).catch((err: Error) => log.error("could not handle a token Gitter no longer accepts", { mxid: s.mxid, error: err })),
    });
    this.sessions.set(mxid, session);
    this.lifetimes.set(mxid, lifetime);
    this.deps.renewal?.watch(mxid, {
      renewed: (newToken, sealed) => this.resumeWith(mxid, newToken, sealed),
      dead: () => void this.onTokenInvalid(mxid).catch((err: Error) => log.error("could not end a login the network would not renew", { mxid, error: err })),
    });
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

  /** Stops and forgets `mxid`'s session, if any; work it was waiting on gives up. */
  async stopSession(mxid: string, reason = "the session ended"): Promise<void> {
    const s = this.sessions.get(mxid);
    this.sessions.delete(mxid);
    this.lifetimes.get(mxid)?.abort(reason);
    this.lifetimes.delete(mxid);
    this.deps.renewal?.forget(mxid);
    await s?.stop();
  }

  /** The stored login's token was renewed: its session restarts on the new one, nothing told. */
  private async resumeWith(mxid: string, token: string, sealed: string): Promise<void> {
    const u = await this.deps.store.users.getUser(mxid);
    if (!u?.gitterUserId || !u.gitterUsername || u.tokenCiphertext !== sealed) return;
    await this.stopSession(mxid);
    await this.startSession(mxid, { gitterUserId: u.gitterUserId, gitterUsername: u.gitterUsername }, token);
  }

  private async onTokenInvalid(mxid: string): Promise<void> {
    await this.stopSession(mxid);
    // A token that expired is renewed where the network has refresh tokens; a refused refresh ends the login here.
    const renewed = await this.deps.renewal?.renewNow(mxid);
    if (renewed) return this.resumeWith(mxid, renewed.token, renewed.sealed);
    const about = { cause: await this.loginCauseOf(mxid), purpose: "token-invalid" };
    await this.deps.store.users.clearLogin(mxid);
    const link = await this.deps.loginLink?.(mxid);
    const token = this.deps.network.loginFlows.some((f) => f.kind === "token");
    const again = loginAgain({ name: this.deps.network.displayName, terms: this.deps.network.terms }, { link, token });
    await this.deps.tell(mxid, about, `${this.words("{network} no longer accepts your login, so your {rooms} are paused.")} ${again}`);
    log.warn("token no longer valid; session stopped", { mxid });
  }

  /** `text` in the network's words (commands/words.ts). */
  private words(text: string): string {
    return fill(text, { name: this.deps.network.displayName, terms: this.deps.network.terms });
  }

  /** The stored login a notice about logging in or out is about: one per login, whichever process says it. */
  private async loginCauseOf(mxid: string): Promise<string> {
    const sealed = (await this.deps.store.users.getUser(mxid))?.tokenCiphertext;
    return sealed ? loginCause(sealed) : `no-login-${mxid}`;
  }

  /** Starts (or restarts) `mxid`'s session from the login just stored, and tells them. */
  async startStoredLogin(mxid: string): Promise<void> {
    const u = await this.deps.store.users.getUser(mxid);
    if (!u?.gitterUserId || !u.gitterUsername || !u.tokenCiphertext) return;
    const token = this.deps.cipher.decrypt(u.tokenCiphertext);
    await this.onLogin(mxid, { gitterUserId: u.gitterUserId, gitterUsername: u.gitterUsername }, token, u.tokenCiphertext);
  }
}
