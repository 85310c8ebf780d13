// OAuth login: a one-shot, expiring state bound to the Matrix user who asked, Gitter's consent page, and a
// callback that stores the token encrypted. The token is never shown, logged or put in a URL we build.
import { randomBytes } from "node:crypto";
import type { Store } from "../store/store";
import { getLogger } from "../util/log";
import type { LoginErrorKind } from "../web/pages";

const log = getLogger("login");
export const LOGIN_LINK_TTL_MS = 10 * 60 * 1000;

export interface OAuthPort {
  authorizeUrl(state: string): string;
  /** Exchanges a code for a token; rejects on any Gitter error. */
  exchangeCode(code: string): Promise<string>;
}

export interface LoginIdentity {
  gitterUserId: string;
  gitterUsername: string;
}

export interface LoginDeps {
  store: Store;
  oauth: OAuthPort;
  /** Base URL of the bridge's web server as users' browsers reach it. */
  publicUrl: string;
  encrypt(token: string): string;
  /** Asks Gitter who owns the token. */
  identify(token: string): Promise<LoginIdentity>;
  /** Called after the token is stored: starts the session and tells the user. Failures are logged, not shown. */
  onLogin(mxid: string, identity: LoginIdentity, token: string): Promise<void>;
  now?: () => number;
}

export type CallbackResult =
  | { ok: true; mxid: string; gitterUsername: string }
  | { ok: false; error: LoginErrorKind };

export class LoginService {
  private readonly now: () => number;

  constructor(private readonly deps: LoginDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A fresh single-use link for `mxid`, valid for 10 minutes. */
  async createLink(mxid: string): Promise<string> {
    const state = randomBytes(24).toString("base64url");
    await this.deps.store.oauthStates.createState(state, mxid, this.now() + LOGIN_LINK_TTL_MS);
    await this.deps.store.oauthStates.pruneStates(this.now());
    return `${this.deps.publicUrl.replace(/\/$/, "")}/login?state=${encodeURIComponent(state)}`;
  }

  /**
   * Whether a login link can still be used, checked before the browser goes to Gitter: a used or expired link
   * says so at once instead of after the user approved on Gitter. Does not use the link up; may throw (store).
   */
  async checkLink(state: string): Promise<LoginErrorKind | null> {
    const check = await this.deps.store.oauthStates.peekState(state, this.now());
    return check.ok ? null : (`${check.reason}-state` as LoginErrorKind);
  }

  /** Where the login page sends the browser: Gitter's consent page, carrying the same state. */
  authorizeUrl(state: string): string {
    return this.deps.oauth.authorizeUrl(state);
  }

  /** Handles Gitter's redirect back. The state is consumed whatever happens next. */
  async complete(query: { state?: string; code?: string; error?: string }): Promise<CallbackResult> {
    if (!query.state) return { ok: false, error: "missing-state" };
    const check = await this.deps.store.oauthStates.consumeState(query.state, this.now());
    if (!check.ok) return { ok: false, error: `${check.reason}-state` as LoginErrorKind };
    const mxid = check.mxid;
    if (query.error || !query.code) {
      log.info("login not approved on Gitter", { mxid, reason: query.error ?? "no code" });
      return { ok: false, error: query.error === "access_denied" ? "denied" : "gitter-error" };
    }
    let token: string;
    let identity: LoginIdentity;
    try {
      token = await this.deps.oauth.exchangeCode(query.code);
      identity = await this.deps.identify(token);
    } catch (err) {
      log.warn("Gitter refused the login", { mxid, error: err as Error });
      return { ok: false, error: "gitter-error" };
    }
    await this.deps.store.users.setLogin(mxid, { ...identity, tokenCiphertext: this.deps.encrypt(token) });
    log.info("logged in", { mxid, gitterUser: identity.gitterUsername });
    await this.deps.onLogin(mxid, identity, token).catch((err: Error) =>
      log.error("starting the session after login failed", { mxid, error: err }),
    );
    return { ok: true, mxid, gitterUsername: identity.gitterUsername };
  }
}
