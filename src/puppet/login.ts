// OAuth login: a one-shot, expiring state bound to the Matrix user who asked, a page naming that user, Gitter's
// consent page, and a callback that seals the token in a pending login and shows a one-time code. Only that
// Matrix user sending the code keeps the token (see login-code.ts): a link passed to someone else, who approves
// with their own Gitter account, gives the link's owner nothing. The token is never shown, logged or put in a URL.
import { randomBytes } from "node:crypto";
import type { LoginCodeResult as CodeResult } from "../commands/types";
import type { LoginFlow, OAuthProvider } from "../network/connector";
import type { LoginTokens } from "../network/types";
import type { Store, TokenRenewal } from "../store/store";
import { getLogger } from "../util/log";
import type { LoginErrorKind } from "../web/pages";
import { CODE_TRIES, CODE_TTL_MS, hashLoginCode, newLoginCode, normaliseLoginCode } from "./login-code";

const log = getLogger("login");
export const LOGIN_LINK_TTL_MS = 10 * 60 * 1000;

/** The network's OAuth provider among its login flows, if it offers one. */
export function oauthProviderOf(flows: readonly LoginFlow[]): OAuthProvider | undefined {
  for (const flow of flows) if (flow.kind === "oauth") return flow.provider;
  return undefined;
}

export interface LoginIdentity {
  gitterUserId: string;
  gitterUsername: string;
}

export interface LoginDeps {
  store: Store;
  /**
   * The network's OAuth provider (its connector's "oauth" login flow). Absent when the bridge has no OAuth app on
   * the network: no link is handed out, and a link made while it had one is refused (`links-off`).
   */
  oauth?: OAuthProvider;
  /** The bot users send their login code to, named on the code page. */
  botMxid: string;
  /** Base URL of the bridge's web server as users' browsers reach it. */
  publicUrl: string;
  encrypt(token: string): string;
  /** Throws when the sealed token does not open (another key, altered data). */
  decrypt(sealed: string): string;
  /** Asks Gitter who owns the token. */
  identify(token: string): Promise<LoginIdentity>;
  /**
   * Called after the code was sent and the token stored: starts the session and tells the user. Not awaited by
   * confirmCode; failures are logged, not shown. Absent in the bridge, whose SessionManager asks for the code
   * check and starts the session itself (so the login service needs no session manager).
   */
  onLogin?(mxid: string, identity: LoginIdentity, token: string): Promise<void>;
  now?: () => number;
}

export type CallbackResult =
  | { ok: true; mxid: string; gitterUsername: string; code: string }
  | { ok: false; error: LoginErrorKind };

export class LoginService {
  private readonly now: () => number;

  constructor(private readonly deps: LoginDeps) {
    this.now = deps.now ?? Date.now;
  }

  get botMxid(): string {
    return this.deps.botMxid;
  }

  /** Whether the bridge hands out login links (it has an OAuth app on the network). */
  get offersLinks(): boolean {
    return this.deps.oauth !== undefined;
  }

  /** A fresh single-use link for `mxid`, valid for 10 minutes. Throws where no links are offered. */
  async createLink(mxid: string): Promise<string> {
    if (!this.deps.oauth) throw new Error("the bridge has no OAuth app on the network: no login links");
    const state = randomBytes(24).toString("base64url");
    await this.deps.store.oauthStates.createState(state, mxid, this.now() + LOGIN_LINK_TTL_MS);
    await this.deps.store.oauthStates.pruneStates(this.now());
    await this.pruneExpired();
    return `${this.deps.publicUrl.replace(/\/$/, "")}/login?state=${encodeURIComponent(state)}`;
  }

  /**
   * Whether a login link can still be used, checked before the browser goes to Gitter: a used or expired link
   * says so at once instead of after the user approved on Gitter. Does not use the link up; may throw (store).
   */
  async checkLink(state: string): Promise<{ ok: true; mxid: string } | { ok: false; error: LoginErrorKind }> {
    if (!this.deps.oauth) return { ok: false, error: "links-off" };
    const check = await this.deps.store.oauthStates.peekState(state, this.now());
    return check.ok ? check : { ok: false, error: `${check.reason}-state` as LoginErrorKind };
  }

  /** Where the login page sends the browser: Gitter's consent page, carrying the same state. Asked only after checkLink. */
  authorizeUrl(state: string): string {
    if (!this.deps.oauth) throw new Error("the bridge has no OAuth app on the network: no login links");
    return this.deps.oauth.authorizeUrl(state);
  }

  /**
   * Handles Gitter's redirect back. The state is consumed whatever happens next. An approval becomes a pending
   * login of the link's Matrix user, replacing any earlier one; the result carries the code to show.
   */
  async complete(query: { state?: string; code?: string; error?: string }): Promise<CallbackResult> {
    if (!this.deps.oauth) return { ok: false, error: "links-off" };
    if (!query.state) return { ok: false, error: "missing-state" };
    const check = await this.deps.store.oauthStates.consumeState(query.state, this.now());
    if (!check.ok) return { ok: false, error: `${check.reason}-state` as LoginErrorKind };
    const mxid = check.mxid;
    if (query.error || !query.code) {
      log.info("login not approved on Gitter", { mxid, reason: query.error ?? "no code" });
      return { ok: false, error: query.error === "access_denied" ? "denied" : "gitter-error" };
    }
    let tokens: LoginTokens;
    let identity: LoginIdentity;
    try {
      tokens = await this.deps.oauth.exchangeCode(query.code);
      identity = await this.deps.identify(tokens.accessToken);
    } catch (err) {
      log.warn("Gitter refused the login", { mxid, error: err as Error });
      return { ok: false, error: "gitter-error" };
    }
    const code = newLoginCode();
    await this.deps.store.pendingLogins.putPendingLogin({
      mxid,
      ...identity,
      codeHash: hashLoginCode(mxid, code),
      tokenCiphertext: this.deps.encrypt(tokens.accessToken),
      ...sealedRenewal(tokens, this.deps.encrypt),
      triesLeft: CODE_TRIES,
      expiresAt: this.now() + CODE_TTL_MS,
    });
    log.info("login approved on Gitter; waiting for the code from Matrix", { mxid, gitterUser: identity.gitterUsername });
    return { ok: true, mxid, gitterUsername: identity.gitterUsername, code };
  }

  /**
   * `mxid` sent `typed` as their login code. Only `mxid`'s own pending login is looked at, so a code sent from
   * another account finds nothing. The right code keeps the token and starts the session (not awaited). May
   * throw (store). Never logs the code.
   */
  async confirmCode(mxid: string, typed: string): Promise<CodeResult> {
    await this.pruneExpired();
    const code = normaliseLoginCode(typed) ?? typed;
    const check = await this.deps.store.pendingLogins.redeemPendingLogin(mxid, hashLoginCode(mxid, code), this.now());
    if (!check.ok) {
      if (check.reason === "wrong") log.info("wrong login code", { mxid, triesLeft: check.triesLeft });
      return check.reason === "wrong" ? { kind: "wrong", triesLeft: check.triesLeft } : { kind: "none" };
    }
    const { gitterUserId, gitterUsername, tokenCiphertext, refreshTokenCiphertext, tokenExpiresAt } = check.login;
    let token: string;
    try {
      token = this.deps.decrypt(tokenCiphertext);
    } catch (err) {
      log.error("a pending login's token does not open; discarded", { mxid, error: err as Error });
      return { kind: "failed" };
    }
    await this.deps.store.users.setLogin(mxid, { gitterUserId, gitterUsername, tokenCiphertext, refreshTokenCiphertext, tokenExpiresAt });
    log.info("logged in", { mxid, gitterUser: gitterUsername });
    void this.deps.onLogin?.(mxid, { gitterUserId, gitterUsername }, token).catch((err: Error) =>
      log.error("starting the session after login failed", { mxid, error: err }),
    );
    return { kind: "logged-in", gitterUsername };
  }

  /** Drops expired pending logins, and their tokens with them. May throw (store). */
  async pruneExpired(): Promise<void> {
    const dropped = await this.deps.store.pendingLogins.prunePendingLogins(this.now());
    if (dropped > 0) log.info("expired pending logins discarded", { count: dropped });
  }
}

/** What renews `tokens` as stored: the refresh token sealed, and the expiry (nothing for tokens that do not expire). */
export function sealedRenewal(tokens: LoginTokens, encrypt: (token: string) => string): TokenRenewal {
  return {
    ...(tokens.refreshToken ? { refreshTokenCiphertext: encrypt(tokens.refreshToken) } : {}),
    ...(tokens.expiresAt ? { tokenExpiresAt: tokens.expiresAt } : {}),
  };
}

/** Prunes expired pending logins now and every minute until stopped; a failure is logged and retried. */
export function startPendingLoginPruning(login: LoginService, everyMs = 60_000): { stop(): void } {
  const prune = () => void login.pruneExpired().catch((err: Error) => log.warn("could not prune pending logins", { error: err }));
  prune();
  const timer = setInterval(prune, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
